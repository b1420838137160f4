"""Platform adapters: verification, payload models and normalisation, one module per platform."""
