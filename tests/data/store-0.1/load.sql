COPY actors FROM 'export/actors.csv' (FORMAT 'csv', allow_quoted_nulls false, force_not_null 'id', quote '"', delimiter ',', header 1);
COPY documents FROM 'export/documents.csv' (FORMAT 'csv', allow_quoted_nulls false, force_not_null 'hash', quote '"', delimiter ',', header 1);
COPY errors FROM 'export/errors.csv' (FORMAT 'csv', allow_quoted_nulls false, force_not_null ('doc_id', 'origin', 'stage', 'message'), quote '"', delimiter ',', header 1);
COPY events FROM 'export/events.csv' (FORMAT 'csv', allow_quoted_nulls false, quote '"', delimiter ',', header 1);
COPY lsh_bands FROM 'export/lsh_bands.csv' (FORMAT 'csv', allow_quoted_nulls false, quote '"', delimiter ',', header 1);
COPY mentions FROM 'export/mentions.csv' (FORMAT 'csv', allow_quoted_nulls false, quote '"', delimiter ',', header 1);
COPY near_duplicates FROM 'export/near_duplicates.csv' (FORMAT 'csv', allow_quoted_nulls false, force_not_null ('hash', 'duplicate_of'), quote '"', delimiter ',', header 1);
COPY quotes FROM 'export/quotes.csv' (FORMAT 'csv', allow_quoted_nulls false, quote '"', delimiter ',', header 1);
