"""Engines that run ``scan`` beyond this machine's processes.

``reconcile.engine.dask``: the scan's stages as partitioned jobs on Dask's distributed scheduler
(a local cluster, or an existing scheduler's workers), built on the pairing library's functions.
"""
