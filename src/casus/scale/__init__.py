"""Scale-out: records as partitioned Parquet, written by the local engine or a Ray Data job."""
