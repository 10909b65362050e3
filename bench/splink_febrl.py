#!/usr/bin/env python3
"""Splink (DuckDB backend) on FEBRL3 (de-duplication) or FEBRL4 (two lists) with the model
of bench/febrl.toml: names Jaro–Winkler 0.92/0.84 with term frequencies, birth date exact /
one digit / same year, soc_sec_id Levenshtein 1/2, street number, address (JW 0.9), suburb
(JW 0.9, term frequencies), postcode and state exact; the same six blocking rules; u by
random sampling (400,000 pairs), m by EM on the four trained rules.

    bench/.venv/bin/python bench/splink_febrl.py DIR THRESHOLD

DIR holds febrl3.csv, or febrl4a.csv and febrl4b.csv (bench/bench_febrl.py writes them).
Writes DIR/splink_pairs.csv (id_l,id_r at or above THRESHOLD) and prints a JSON line.
"""
import json
import os
import sys

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

folder, threshold = sys.argv[1], float(sys.argv[2])
con = duckdb.connect()
files = ["febrl3.csv"] if os.path.exists(os.path.join(folder, "febrl3.csv")) else ["febrl4a.csv", "febrl4b.csv"]
cols = ["given_name", "surname", "street_number", "address_1", "suburb", "postcode", "state",
        "date_of_birth", "soc_sec_id"]
tables = []
for i, f in enumerate(files):
    select = ", ".join(f"nullif(trim({c}), '') AS {c}" for c in cols)
    con.sql(f"CREATE TABLE t{i} AS SELECT rec_id, {select} "
            f"FROM read_csv('{os.path.join(folder, f)}', all_varchar = true, header = true)")
    tables.append(f"t{i}")
db = DuckDBAPI(connection=con)


def birth_date(col):
    l, r = f"{col}_l", f"{col}_r"
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.CustomLevel(f"levenshtein({l}, {r}) = 1", label_for_charts="one digit"),
            cll.CustomLevel(f"substr({l}, 1, 4) = substr({r}, 1, 4)", label_for_charts="same year"),
            cll.ElseLevel(),
        ],
    )


settings = SettingsCreator(
    link_type="dedupe_only" if len(files) == 1 else "link_only",
    unique_id_column_name="rec_id",
    comparisons=[
        cl.JaroWinklerAtThresholds("given_name", [0.92, 0.84]).configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("surname", [0.92, 0.84]).configure(term_frequency_adjustments=True),
        birth_date("date_of_birth"),
        cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9]),
        cl.JaroWinklerAtThresholds("suburb", [0.9]).configure(term_frequency_adjustments=True),
        cl.ExactMatch("postcode"),
        cl.ExactMatch("state"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("soc_sec_id"),
        block_on("given_name", "surname"),
        block_on("surname", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        block_on("postcode", "substr(given_name, 1, 1)"),
        block_on("date_of_birth", "postcode"),
    ],
    retain_intermediate_calculation_columns=False,
)
linker = Linker([db.register(con.table(t)) for t in tables], settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("soc_sec_id"), block_on("given_name", "surname")], recall=0.8
)
linker.training.estimate_u_using_random_sampling(max_pairs=4e5, seed=52)
for rule in [block_on("soc_sec_id"), block_on("given_name", "surname"),
             block_on("surname", "date_of_birth"), block_on("given_name", "date_of_birth")]:
    linker.training.estimate_parameters_using_expectation_maximisation(rule)
predictions = linker.inference.predict(threshold_match_probability=threshold)
con.sql(
    f"COPY (SELECT rec_id_l AS id_l, rec_id_r AS id_r FROM {predictions.physical_name}) "
    f"TO '{os.path.join(folder, 'splink_pairs.csv')}' (HEADER, DELIMITER ',')"
)
print(json.dumps({"pairs": con.sql(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]}))
