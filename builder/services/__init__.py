"""Business actions of the builder, one module per domain; import from the module itself.

`workflows` (validate, create, update), `runs` (start, enqueue, cancel, replay, retry),
`execution` (claim, prepare, execute, finish) and `recovery` (lost workers, lost messages).
Nothing is re-exported here, so importing one module never loads the others.
"""
