"""Training the completion model: data, masking, network, export. Needs torch (except ``data`` and ``export``)."""
