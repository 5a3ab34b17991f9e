"""The steering runtime: the CodeSteer loop, model backends, the sandbox and the checkers."""
