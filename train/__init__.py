"""Training the steering model: trajectory synthesis, SFT and DPO data, trl training."""
