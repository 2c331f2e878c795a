"""Training the completion model: data, masking, network, export, model card. Only ``net`` and ``loop`` need torch."""
