#!/usr/bin/env python3
"""Splink (DuckDB backend) de-duplication of linkage/records.csv with a model equivalent to
sinergi's person preset: the same six columns with the same levels (NIK/KK: exact,
transposition, Excel's 15 digits; dates: exact, swapped, one digit, year; names: Jaro–Winkler
0.92/0.84 with term-frequency adjustment; desa: exact, kecamatan), blocking rules as close as
SQL allows (sinergi's "any shared name word" becomes the first three letters), u by random
sampling (400,000 pairs, as sinergi), m by EM on the exact-NIK and name+date rules.

    bench/.venv/bin/python bench/splink_dedupe.py RECORDS.csv OUT_DIR THRESHOLD

Writes OUT_DIR/pairs.csv (id_l,id_r: pairs at or above THRESHOLD) and OUT_DIR/clusters.csv
(id,cluster_id), and prints a JSON line with the number of compared pairs.
"""
import json
import os
import sys

import duckdb
import splink.comparison_level_library as cll
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


def id_number(col):
    """NIK/KK levels as in sinergi: exact, one adjacent transposition, first 15 digits equal
    where Excel explains the 16th, else."""
    l, r = f"{col}_l", f"{col}_r"
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.CustomLevel(
                f"damerau_levenshtein({l}, {r}) = 1 AND levenshtein({l}, {r}) = 2",
                label_for_charts="transposition",
            ),
            cll.CustomLevel(
                f"substr({l}, 1, 15) = substr({r}, 1, 15) AND (length({l}) <> 16 OR length({r}) <> 16 "
                f"OR right({l}, 1) = '0' OR right({r}, 1) = '0')",
                label_for_charts="first 15 digits (Excel)",
            ),
            cll.ElseLevel(),
        ],
    )


def birth_date(col):
    """Dates as in sinergi: exact, day/month swapped, one digit, same year, else."""
    l, r = f"{col}_l", f"{col}_r"
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.CustomLevel(
                f"substr({l}, 1, 4) = substr({r}, 1, 4) AND substr({l}, 6, 2) = substr({r}, 9, 2) "
                f"AND substr({l}, 9, 2) = substr({r}, 6, 2)",
                label_for_charts="day/month swapped",
            ),
            cll.CustomLevel(f"levenshtein({l}, {r}) = 1", label_for_charts="one digit"),
            cll.CustomLevel(f"substr({l}, 1, 4) = substr({r}, 1, 4)", label_for_charts="same year"),
            cll.ElseLevel(),
        ],
    )


settings = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="id",
    comparisons=[
        id_number("nik"),
        cl.JaroWinklerAtThresholds("nama", [0.92, 0.84]).configure(
            term_frequency_adjustments=True
        ),
        cl.ExactMatch("jenis_kelamin"),
        birth_date("tanggal_lahir"),
        id_number("no_kk"),
        cl.CustomComparison(
            output_column_name="kode_desa",
            comparison_levels=[
                cll.NullLevel("kode_desa"),
                cll.ExactMatchLevel("kode_desa"),
                cll.CustomLevel(
                    "substr(kode_desa_l, 1, 8) = substr(kode_desa_r, 1, 8)",
                    label_for_charts="same kecamatan",
                ),
                cll.ElseLevel(),
            ],
        ),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("nik"),
        block_on("substr(nik, 1, 15)"),
        block_on("substr(nama, 1, 3)", "tanggal_lahir"),
        block_on("substr(nik, 1, 12)"),
        block_on("nama", "substr(tanggal_lahir, 1, 4)", "substr(kode_desa, 1, 8)"),
        block_on("kode_desa", "substr(tanggal_lahir, 1, 4)", "substr(nama, 1, 1)"),
        block_on("no_kk", "substr(nama, 1, 3)"),
    ],
)
linker = Linker(db.register(con.table("records")), settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("nik")], recall=0.8
)
linker.training.estimate_u_using_random_sampling(max_pairs=4e5, seed=52)
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
