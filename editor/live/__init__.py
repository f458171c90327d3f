"""Live updates: record status and credit changes pushed to every open tab of their owner.

`feed` holds the seam (a process-wide hub of subscribers and the source that feeds it), `poll`
and `postgres` are the two sources, `stream` is the Server-Sent Events view.
"""
