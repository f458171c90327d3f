"""Pure image work: decoding, masks, paste-back, drift, selection and local fills.

Nothing in this package imports Django or any of the project's apps, so every function here can be
called (and tested, and benchmarked) on plain bytes and arrays.
"""
