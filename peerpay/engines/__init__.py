"""Engines: how a timesheet is split and where its partitions are paid.

The core pays one *partition*: all rows of a set of employees (an employee's workweeks and
8-and-80 periods cross file boundaries, and the overlap check needs all of an employee's rows).
:func:`~peerpay.engines.partition.pay_partition` is that unit; engines only route rows to it:

* ``local`` (default, :func:`peerpay.jobs.pay.run_pay`): the whole timesheet is one partition.
* ``local`` with ``--partitions N`` (:mod:`.chunked`): the CSV is streamed once and spilled to
  N Arrow buckets by a hash of ``employee_id``; the buckets are paid by one forked worker per
  core, each holding one bucket at a time.
* ``local`` without ``--detail``/``--statements`` on 200,000+ shifts (:mod:`.halves`): the employees
  are cut in two halves at an id boundary and a forked child pays the second half; the pay
  lines are joined in id order, identical to a one-process run (no audit trail on this path).
* ``dask`` (:mod:`.dask_engine`): one file or many (a glob), CSV or Parquet, read in pieces (a big
  CSV in byte ranges, :mod:`.split`) and shuffled by ``employee_id`` with dask.dataframe, each
  partition validated and paid on a worker (a ``dask.distributed`` cluster: local processes, or
  ``--scheduler ADDRESS``).

Every engine carries each row's source file and 1-based data row, so a rejection still reads
``file:row`` and results are identical to the cent to the local engine's.
"""
