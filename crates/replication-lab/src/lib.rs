//! Test Amazon S3 replication with encryption before you deploy it.
