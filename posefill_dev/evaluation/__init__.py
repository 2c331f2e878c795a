"""The evaluation protocol of the completion model: missing-joint families on COCO val, and the baselines."""
