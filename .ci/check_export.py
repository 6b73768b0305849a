"""Checks `cargo xtask export --shipped` output with the tools that consume it.

- aws-cli: every `inputs/*.json` against botocore's own input shape of its operation
  (botocore.validate.ParamValidator, the s3, iam and kms service models); every policy string in
  it parses as JSON; `bash -n deploy.sh`.
- cloudformation: every template through cfn-lint (errors and warnings fail).
- terraform: every main.tf parses with python-hcl2, and uses only the arguments listed in
  `.ci/terraform-aws-arguments.txt` (taken from the provider's docs; see its header).

Usage: check_export.py EXPORT_DIR ARGUMENTS_TXT. Prints one line per problem and a closing
`N passed, N failed` line (one check per exported directory); exits 1 if any failed.
"""

import json
import pathlib
import subprocess
import sys

import botocore.session
from botocore import xform_name
from botocore.validate import ParamValidator
import hcl2

SERVICES = {"s3api": "s3", "iam": "iam", "kms": "kms"}
POLICY_MEMBERS = ("Policy", "PolicyDocument", "AssumeRolePolicyDocument")
META = {"provider", "depends_on", "count", "for_each", "lifecycle"}


def operation_models(session):
    models = {}
    for cli, service in SERVICES.items():
        model = session.get_service_model(service)
        for name in model.operation_names:
            models[(cli, xform_name(name).replace("_", "-"))] = model.operation_model(name)
    return models


def check_aws_cli(folder, models):
    problems = []
    validator = ParamValidator()
    for path in sorted((folder / "inputs").glob("*.json")):
        # NN-service-operation.subject.json
        stem = path.name.split(".", 1)[0]
        _, service, operation = stem.split("-", 2)
        op = models.get((service, operation))
        if op is None:
            problems.append(f"{path}: no operation `{service} {operation}` in botocore's models")
            continue
        params = json.loads(path.read_text())
        report = validator.validate(params, op.input_shape)
        if report.has_errors():
            problems.append(f"{path}: {report.generate_report()}")
        for member in POLICY_MEMBERS:
            if member in params:
                try:
                    json.loads(params[member])
                except ValueError as e:
                    problems.append(f"{path}: `{member}` is not a JSON document: {e}")
    res = subprocess.run(["bash", "-n", str(folder / "deploy.sh")], capture_output=True, text=True)
    if res.returncode != 0:
        problems.append(f"{folder / 'deploy.sh'}: {res.stderr.strip()}")
    return problems


def cfn_lint(folders):
    """One cfn-lint process for every template (its start-up dominates); problems by folder."""
    templates = [str(p) for f in folders for p in sorted(f.glob("*.json"))]
    problems = {f: [] for f in folders}
    if not templates:
        return problems
    res = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", "--", *templates],
        capture_output=True,
        text=True,
    )
    for line in res.stdout.splitlines():
        for f in folders:
            if line.startswith(str(f) + "/"):
                problems[f].append(line)
                break
        else:
            if line.strip():
                problems[folders[0]].append(line)
    if res.returncode not in (0,) and not any(problems.values()):
        problems[folders[0]].append(f"cfn-lint exited {res.returncode}: {res.stderr.strip()}")
    return problems


def load_arguments(path):
    allowed = set()
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            kind, arg = line.split()
            allowed.add((kind, arg))
    return allowed


def walk(kind, body, prefix, allowed, where, problems):
    for key, value in body.items():
        if key.startswith("__") or (not prefix and key in META):
            continue
        path = f"{prefix}{key}"
        is_block = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        if is_block and not (kind, path) in allowed:
            for block in value:
                walk(kind, block, path + ".", allowed, where, problems)
        elif (kind, path) not in allowed:
            problems.append(f"{where}: `{kind}` has no documented argument `{path}` in the allowed list")


def check_terraform(folder, allowed):
    problems = []
    path = folder / "main.tf"
    try:
        with path.open() as f:
            doc = hcl2.load(f)
    except Exception as e:  # python-hcl2 raises lark's errors, not one base class
        return [f"{path}: does not parse as HCL: {e}"]
    for top in ("terraform", "variable", "provider"):
        for block in doc.get(top, []):
            for label_or_body in block.values() if top != "terraform" else [block]:
                body = label_or_body if isinstance(label_or_body, dict) else {}
                walk(top, body, "", allowed, path, problems)
    for kind in ("resource", "data"):
        for block in doc.get(kind, []):
            for rtype, named in block.items():
                rtype = rtype.strip('"')
                full = rtype if kind == "resource" else f"data.{rtype}"
                for _, body in named.items():
                    walk(full, body, "", allowed, path, problems)
    return problems


def main():
    root = pathlib.Path(sys.argv[1])
    allowed = load_arguments(sys.argv[2])
    models = operation_models(botocore.session.get_session())
    checks = {}
    for folder in sorted(root.glob("*/aws-cli")):
        checks[folder] = check_aws_cli(folder, models)
    cfn = sorted(root.glob("*/cloudformation"))
    checks.update(cfn_lint(cfn))
    for folder in sorted(root.glob("*/terraform")):
        checks[folder] = check_terraform(folder, allowed)
    failed = 0
    for folder, problems in sorted(checks.items()):
        if problems:
            failed += 1
            for p in problems:
                print(p)
    print(f"exports: {len(checks) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
