"""The steering runtime: the CodeSteer loop, model backends, the code sandbox and the checkers."""
