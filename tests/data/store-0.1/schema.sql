CREATE TABLE actors(id VARCHAR PRIMARY KEY, "name" VARCHAR, kind VARCHAR, country VARCHAR, sector VARCHAR, "scope" VARCHAR, members VARCHAR);
CREATE TABLE documents(hash VARCHAR PRIMARY KEY, id VARCHAR, title VARCHAR, outlet VARCHAR, url VARCHAR, published VARCHAR, "language" VARCHAR, "text" VARCHAR, record JSON, ingested_at TIMESTAMP DEFAULT(current_timestamp));
CREATE TABLE errors(doc_id VARCHAR, origin VARCHAR, stage VARCHAR, "level" VARCHAR, message VARCHAR, PRIMARY KEY(doc_id, origin, stage, message));
CREATE TABLE events(doc_hash VARCHAR, doc_id VARCHAR, n INTEGER, "type" VARCHAR, quad VARCHAR, cameo_root VARCHAR, goldstein DOUBLE, source_actor VARCHAR, "source" VARCHAR, target_actor VARCHAR, "target" VARCHAR, "trigger" VARCHAR, evidence VARCHAR, evidence_start INTEGER, evidence_end INTEGER, date VARCHAR, date_granularity VARCHAR, date_basis VARCHAR, "location" VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE, negated BOOLEAN, hypothetical BOOLEAN, future BOOLEAN, historical BOOLEAN, reported BOOLEAN, "mode" VARCHAR, contexts VARCHAR, confidence DOUBLE, admin1 VARCHAR, feature VARCHAR, date_start VARCHAR, date_end VARCHAR);
CREATE TABLE lsh_bands(band VARCHAR, hash VARCHAR);
CREATE TABLE mentions(doc_hash VARCHAR, doc_id VARCHAR, actor_id VARCHAR, start_char INTEGER, end_char INTEGER, via VARCHAR, "text" VARCHAR);
CREATE TABLE near_duplicates(hash VARCHAR, duplicate_of VARCHAR, "similarity" DOUBLE, PRIMARY KEY(hash, duplicate_of));
CREATE TABLE quotes(doc_hash VARCHAR, doc_id VARCHAR, n INTEGER, kind VARCHAR, "content" VARCHAR, content_start INTEGER, content_end INTEGER, speaker_actor VARCHAR, speaker VARCHAR, speaker_start INTEGER, speaker_end INTEGER, cue VARCHAR, confidence DOUBLE);

