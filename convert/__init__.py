"""Export: adapter merge, GGUF conversion, quantisation, Ollama Modelfiles, fidelity checks."""
