#!/usr/bin/env python3
"""Validate a tilepipe run's STAC catalogue (stac/collection.json and every Item it links) with pystac, offline.

What is checked, for the Collection and every Item:
  1. the STAC 1.1.0 core JSON schema (Item or Collection), with the schemas pystac ships
     (pystac/validation/jsonschemas: stac-spec v1.1.0 and the GeoJSON Feature/Geometry schemas), never fetched;
  2. each declared extension schema, when a local copy is given with --schemas DIR (a folder of schema files,
     matched by their "$id"); without one the extension is not schema-validated and is reported as such;
  3. the extension fields through pystac's extension API (which refuses an extension that is not declared):
     projection v2 (proj:code, proj:shape of 2 integers, proj:transform of 6 or 9 numbers, proj:bbox of 4),
     eo (cloud cover in 0..100), raster (every raster:bands data_type is one of pystac's DataType values),
     classification (every class has an integer value, a name and, when present, a 6-digit hex colour hint);
     processing fields by hand (pystac has no processing extension): processing:software an object of strings,
     processing:lineage / processing:level strings, processing:expression an object with format and expression;
  4. every asset href and every item / derived_from link resolves to an existing file inside the run folder.

Prints a JSON summary on stdout; problems on stderr; exit status 1 when there is any problem, 2 when pystac or
jsonschema is missing.

Usage: scripts/stac-validate.py RUN_DIR/stac/collection.json [--schemas DIR]
"""
import argparse
import json
import os
import re
import sys

try:
    import pystac
    from pystac.extensions.classification import ClassificationExtension
    from pystac.extensions.eo import EOExtension
    from pystac.extensions.projection import ProjectionExtension
    from pystac.extensions.raster import DataType, RasterExtension
    from pystac.validation.stac_validator import JsonSchemaSTACValidator
    from pystac.stac_object import STACObjectType
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"stac-validate: needs pystac and jsonschema ({error}); "
          "install: python3 -m pip install --break-system-packages pystac jsonschema", file=sys.stderr)
    sys.exit(2)

CLASS_NAME = re.compile(r"^[0-9A-Za-z_-]+$")
HEX6 = re.compile(r"^[0-9A-Fa-f]{6}$")


class Report:
    def __init__(self):
        self.problems = []

    def fail(self, where, what):
        self.problems.append(f"{where}: {what}")


def local_schemas(folder):
    """$id (without a trailing '#') -> schema, for every JSON file in folder."""
    out = {}
    if not folder:
        return out
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name)) as f:
            schema = json.load(f)
        sid = schema.get("$id") or schema.get("id")
        if sid:
            out[sid.rstrip("#")] = schema
    return out


def offline_validator():
    """pystac's JSON-schema validator whose schema lookups never leave the machine."""
    validator = JsonSchemaSTACValidator()
    known = validator.schema_cache

    def no_fetch(uri):
        if uri not in known:
            raise RuntimeError(f"schema {uri} is not available offline")
        return known[uri]

    validator._get_schema = no_fetch  # the bundled core schemas are preloaded in schema_cache
    return validator


def check_schema(validator, raw, kind, href, schemas, report, counts):
    try:
        validator.validate_core(raw, kind, raw.get("stac_version", "1.1.0"), href)
        counts["core"] += 1
    except Exception as error:  # pystac raises STACValidationError with the jsonschema message
        report.fail(href, f"core schema: {error}")
    for uri in raw.get("stac_extensions", []):
        if uri.rstrip("#") in schemas:
            validator.schema_cache[uri] = schemas[uri.rstrip("#")]
            try:
                validator.validate_extension(raw, kind, raw.get("stac_version", "1.1.0"), uri, href)
                counts["extension_schemas"][uri] = counts["extension_schemas"].get(uri, 0) + 1
            except Exception as error:
                report.fail(href, f"extension schema {uri}: {error}")
        else:
            counts["extensions_without_schema"][uri] = counts["extensions_without_schema"].get(uri, 0) + 1


def check_processing(fields, where, report):
    sw = fields.get("processing:software")
    if sw is not None and not (isinstance(sw, dict) and all(isinstance(v, str) for v in sw.values())):
        report.fail(where, "processing:software is not an object of version strings")
    for key in ("processing:lineage", "processing:level"):
        if key in fields and not isinstance(fields[key], str):
            report.fail(where, f"{key} is not a string")
    expr = fields.get("processing:expression")
    if expr is not None and not (isinstance(expr, dict) and isinstance(expr.get("format"), str) and "expression" in expr):
        report.fail(where, "processing:expression is not an object with format and expression")


def check_item_api(item, raw, href, report, counts):
    declared = raw.get("stac_extensions", [])
    if any("/projection/" in u for u in declared):
        proj = ProjectionExtension.ext(item)
        shape, transform, bbox = proj.shape, proj.transform, proj.bbox
        if not (isinstance(shape, list) and len(shape) == 2 and all(isinstance(v, int) and v > 0 for v in shape)):
            report.fail(href, f"proj:shape {shape!r} is not two positive integers")
        if not (isinstance(transform, list) and len(transform) in (6, 9)):
            report.fail(href, f"proj:transform {transform!r} has not 6 or 9 numbers")
        if bbox is not None and len(bbox) != 4:
            report.fail(href, f"proj:bbox {bbox!r} has not 4 numbers")
        if "proj:code" not in raw["properties"]:
            report.fail(href, "proj:code is missing (null is allowed, absent is not)")
    if any("/eo/" in u for u in declared):
        cc = EOExtension.ext(item).cloud_cover
        if cc is not None and not (0 <= cc <= 100):
            report.fail(href, f"eo:cloud_cover {cc} is outside 0..100")
    check_processing(raw["properties"], href, report)
    data_types = {d.value for d in DataType}
    for key, asset in item.assets.items():
        where = f"{href} asset {key}"
        fields = raw["assets"][key]
        check_processing(fields, where, report)
        if "raster:bands" in fields:
            for band in RasterExtension.ext(asset).bands or []:
                if band.data_type is None or str(band.data_type.value if hasattr(band.data_type, "value") else band.data_type) not in data_types:
                    report.fail(where, f"raster:bands data_type {band.data_type!r} is not a STAC data type")
        if "classification:classes" in fields:
            classes = ClassificationExtension.ext(asset).classes or []
            if not classes:
                report.fail(where, "classification:classes is empty")
            for c in classes:
                if not isinstance(c.value, int):
                    report.fail(where, f"class value {c.value!r} is not an integer")
                if not c.name or not CLASS_NAME.match(c.name):
                    report.fail(where, f"class name {c.name!r} is not letters, digits, '-' or '_'")
                if c.color_hint is not None and not HEX6.match(c.color_hint):
                    report.fail(where, f"class colour hint {c.color_hint!r} is not 6 hex digits")
            counts["classified_assets"] += 1
        for role in fields.get("roles", []):
            counts["roles"][role] = counts["roles"].get(role, 0) + 1


def check_file(base_dir, rel, run_dir, where, report):
    path = os.path.realpath(os.path.join(base_dir, rel))
    if not path.startswith(run_dir + os.sep):
        report.fail(where, f"{rel} points outside the run folder")
    elif not os.path.isfile(path):
        report.fail(where, f"{rel} does not exist")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection")
    parser.add_argument("--schemas", help="folder of local extension schema copies (matched by $id)")
    args = parser.parse_args()
    report = Report()
    schemas = local_schemas(args.schemas)
    validator = offline_validator()
    counts = {"core": 0, "extension_schemas": {}, "extensions_without_schema": {}, "classified_assets": 0, "roles": {}}

    coll_path = os.path.realpath(args.collection)
    stac_dir = os.path.dirname(coll_path)
    run_dir = os.path.dirname(stac_dir)
    with open(coll_path) as f:
        raw_coll = json.load(f)
    check_schema(validator, raw_coll, STACObjectType.COLLECTION, coll_path, schemas, report, counts)
    try:
        collection = pystac.Collection.from_file(coll_path)
        if any("/eo/" in u for u in raw_coll.get("stac_extensions", [])):
            EOExtension.summaries(collection)  # refuses an undeclared extension
    except Exception as error:
        report.fail(coll_path, f"pystac: {type(error).__name__}: {error}")
    collection_assets = {}
    for key, asset in raw_coll.get("assets", {}).items():
        check_file(stac_dir, asset["href"], run_dir, f"{coll_path} asset {key}", report)
        collection_assets[key] = asset.get("roles", [])

    items, kinds = 0, {"tile": 0, "two-date": 0}
    for link in raw_coll["links"]:
        if link["rel"] != "item":
            continue
        item_path = os.path.realpath(os.path.join(stac_dir, link["href"]))
        check_file(stac_dir, link["href"], run_dir, coll_path, report)
        if not os.path.isfile(item_path):
            continue
        with open(item_path) as f:
            raw = json.load(f)
        items += 1
        two_date = "start_datetime" in raw["properties"] and "end_datetime" in raw["properties"]
        kinds["two-date" if two_date else "tile"] += 1
        check_schema(validator, raw, STACObjectType.ITEM, item_path, schemas, report, counts)
        try:
            check_item_api(pystac.Item.from_file(item_path), raw, item_path, report, counts)
        except Exception as error:  # pystac refuses what it cannot read (dates, undeclared extensions, colour hints)
            report.fail(item_path, f"pystac: {type(error).__name__}: {error}")
        for key, asset in raw["assets"].items():
            check_file(os.path.dirname(item_path), asset["href"], run_dir, f"{item_path} asset {key}", report)
        for l in raw["links"]:
            if l["rel"] in ("collection", "root", "parent", "derived_from"):
                check_file(os.path.dirname(item_path), l["href"], run_dir, f"{item_path} link {l['rel']}", report)
        if raw.get("collection") != raw_coll["id"]:
            report.fail(item_path, f"collection {raw.get('collection')!r} is not {raw_coll['id']!r}")
    if items == 0:
        report.fail(coll_path, "links no item")

    summary = {
        "collection": raw_coll["id"], "items": items, "tile_items": kinds["tile"], "two_date_items": kinds["two-date"],
        "core_schema_validated": counts["core"], "extension_schemas_validated": counts["extension_schemas"],
        "extensions_checked_by_pystac_api_only": counts["extensions_without_schema"],
        "classified_assets": counts["classified_assets"], "item_asset_roles": counts["roles"],
        "collection_assets": collection_assets, "problems": len(report.problems),
    }
    print(json.dumps(summary, indent=1, sort_keys=True))
    for p in report.problems:
        print(p, file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
