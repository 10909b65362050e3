#!/usr/bin/env python3
"""Splink (DuckDB backend) de-duplication of linkage/records.csv with a model equivalent to
sinergi's person preset: the same six columns, comparable levels, the same kind of blocking
rules, u by random sampling (1 M pairs), m by EM on two training rules, term-frequency
adjustment on names, the tuned setup (Levenshtein, not Damerau–Levenshtein).

    bench/.venv/bin/python bench/splink_dedupe.py RECORDS.csv OUT_DIR THRESHOLD

Writes OUT_DIR/pairs.csv (id_l,id_r: pairs at or above THRESHOLD) and OUT_DIR/clusters.csv
(id,cluster_id), and prints a JSON line with the number of compared pairs.
"""
import json
import os
import sys

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

records, out, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
con = duckdb.connect()
# The same light cleaning any Splink user does: trim and lowercase names, empty = NULL.
con.sql(
    f"""
    CREATE TABLE records AS
    SELECT id,
           nullif(trim(nik), '') AS nik,
           nullif(lower(trim(nama)), '') AS nama,
           nullif(trim(jenis_kelamin), '') AS jenis_kelamin,
           nullif(trim(tanggal_lahir), '') AS tanggal_lahir,
           nullif(trim(no_kk), '') AS no_kk,
           nullif(trim(kode_desa), '') AS kode_desa
    FROM read_csv('{records}', all_varchar = true, header = true)
    """
)
db = DuckDBAPI(connection=con)
settings = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="id",
    comparisons=[
        cl.LevenshteinAtThresholds("nik", [1, 2]),
        cl.JaroWinklerAtThresholds("nama", [0.92, 0.84]).configure(
            term_frequency_adjustments=True
        ),
        cl.ExactMatch("jenis_kelamin"),
        cl.LevenshteinAtThresholds("tanggal_lahir", [1, 2]),
        cl.LevenshteinAtThresholds("no_kk", [1]),
        cl.ExactMatch("kode_desa"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("substr(nik, 1, 15)"),
        block_on("substr(nama, 1, 3)", "tanggal_lahir"),
        block_on("substr(nik, 1, 12)"),
        block_on("nama", "substr(tanggal_lahir, 1, 4)"),
        block_on("kode_desa", "substr(tanggal_lahir, 1, 4)", "jenis_kelamin"),
        block_on("no_kk"),
    ],
)
linker = Linker(db.register(con.table("records")), settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("nik")], recall=0.8
)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=52)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("nik"))
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("substr(nama, 1, 3)", "tanggal_lahir")
)
predictions = linker.inference.predict(threshold_match_probability=threshold)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
    predictions, threshold
)
con.sql(
    f"COPY (SELECT id_l, id_r FROM {predictions.physical_name}) "
    f"TO '{os.path.join(out, 'pairs.csv')}' (HEADER, DELIMITER ',')"
)
con.sql(
    f"COPY (SELECT id, cluster_id FROM {clusters.physical_name}) "
    f"TO '{os.path.join(out, 'clusters.csv')}' (HEADER, DELIMITER ',')"
)
print(json.dumps({"pairs": con.sql(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]}))
