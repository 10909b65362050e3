#!/usr/bin/env python3
"""Writes a CSV file as a one-sheet XLSX workbook the way Excel stores text: every cell a
shared string (sheet cells point into xl/sharedStrings.xml). Standard library only, streaming,
so a million-row list converts without holding the sheet in memory. Used by
scripts/bench-import.sh to time the import of the same list as CSV and as XLSX.

    scripts/csv-to-xlsx.py IN.csv OUT.xlsx
"""
import csv
import sys
import zipfile
from xml.sax.saxutils import escape


def col(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def main(src, dst):
    strings = {}
    order = []
    with open(src, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        width = 0
        height = 0
        for row in rows:
            height += 1
            width = max(width, len(row))
            for v in row:
                if v not in strings:
                    strings[v] = len(order)
                    order.append(v)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    f'count="{height * width}" uniqueCount="{len(order)}">'
                ).encode()
            )
            for v in order:
                out.write(f'<si><t xml:space="preserve">{escape(v)}</t></si>'.encode())
            out.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1:{col(width - 1)}{height}"/><sheetData>'
                ).encode()
            )
            with open(src, newline="", encoding="utf-8-sig") as f:
                for r, row in enumerate(csv.reader(f), start=1):
                    cells = "".join(
                        f'<c r="{col(c)}{r}" t="s"><v>{strings[v]}</v></c>'
                        for c, v in enumerate(row)
                        if v != ""
                    )
                    out.write(f'<row r="{r}">{cells}</row>'.encode())
            out.write(b"</sheetData></worksheet>")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
