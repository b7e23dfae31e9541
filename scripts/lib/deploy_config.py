"""What scripts/deploy.sh hands to AWS, built from the operator's environment.

  deploy_config.py secret FILE            the secret (JSON object of the secret variables
                                          that are set) into FILE, created 0600
  deploy_config.py verify-secret FILE     FILE holds exactly those values (dry run)
  deploy_config.py parameters FILE ARN    the stack's parameters into FILE (YAML, the form
                                          `sam deploy --parameter-overrides file://` reads),
                                          each checked against template.yaml as CloudFormation would
  deploy_config.py verify-parameters FILE ARN
                                          SAM's own reader of --parameter-overrides gets
                                          exactly those values back from FILE (dry run)
  deploy_config.py check-template         template facts sam build relies on (binaries)

Values are read from the environment here, never from a command line, so `ps` never shows
them, and JSON carries them whole (spaces, quotes, the newlines of a PEM key).
"""

import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "template.yaml")

# The variables that go to the secret rather than the template: credentials and keys
# (README, Configuration). Everything else stays an ordinary environment variable.
SECRET_VARS = [
    "DATABASE_URL",
    "MONGODB_URI",
    "LEADFLOW_API_KEYS",
    "AUTH_JWT_SECRET",
    "CHAT_SECRET",
    "TWILIO_AUTH_TOKEN",
    "SENDGRID_API_KEY",
    "SENDGRID_INBOUND_SECRET",
    "OPENAI_API_KEY",
    "SLACK_WEBHOOK_URL",
    "SALESFORCE_CLIENT_SECRET",
    "SALESFORCE_PRIVATE_KEY",
    "CALENDLY_WEBHOOK_SIGNING_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "GOOGLE_SERVICE_ACCOUNT_JSON",
    "GOOGLE_CLIENT_SECRET",
    "GOOGLE_REFRESH_TOKEN",
]
REQUIRED = ["DATABASE_URL", "MONGODB_URI", "LEADFLOW_API_KEYS"]

# Parameters that configure the stack rather than the code (no function variable names
# them), by the operator's variable.
STACK_VARS = {
    "ALARM_EMAIL": "AlarmEmail",
    "LOG_LEVEL": "LogLevel",
    "LOG_RETENTION_DAYS": "LogRetentionDays",
    "SQS_MAX_CONCURRENCY": "SqsMaxConcurrency",
    "VPC_SUBNET_IDS": "VpcSubnetIds",
    "VPC_SECURITY_GROUP_IDS": "VpcSecurityGroupIds",
    "DATABASE_PROXY_SECRET_ARN": "DatabaseProxySecretArn",
    "DATABASE_PROXY_INSTANCE_ID": "DatabaseProxyInstanceId",
    "DATABASE_PROXY_CLUSTER_ID": "DatabaseProxyClusterId",
}


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub...) kept as {tag: value}."""


def _tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


_Loader.add_multi_constructor("!", _tagged)


def load_template(path=TEMPLATE):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)


def env(name):
    value = os.environ.get(name, "")
    return value if value.strip() else ""


def secret_payload():
    missing = [v for v in REQUIRED if not env(v)]
    if missing:
        fail(f"{', '.join(missing)} must be set (see README.md, Configuration)")
    return {name: os.environ[name] for name in SECRET_VARS if env(name)}


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def env_parameters(template):
    """Environment variable -> parameter, as the template's functions receive them."""
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    out = {}
    for name, value in variables.items():
        if isinstance(value, dict) and "Ref" in value and value["Ref"] in template["Parameters"]:
            out[name] = value["Ref"]
    return out


def check_value(name, spec, value):
    """What CloudFormation checks of a parameter value, before anything is created."""
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            fail(f"{name} must be a number (got {len(value)} characters)")
        if "MinValue" in spec and number < float(spec["MinValue"]):
            fail(f"{name} must be at least {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            fail(f"{name} must be at most {spec['MaxValue']}")
    allowed = spec.get("AllowedValues")
    if allowed and value not in [str(a) for a in allowed]:
        fail(f"{name} must be one of {', '.join(str(a) for a in allowed)}")
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, value, flags=re.DOTALL):
        fail(f"{name} does not match {pattern}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        fail(f"{name} needs at least {spec['MinLength']} characters")


def parameters(secret_arn):
    template = load_template()
    specs = template["Parameters"]
    by_var = {**env_parameters(template), **STACK_VARS}
    # The secret's ARN comes from the secret this deploy stored, not from a variable.
    by_var = {var: param for var, param in by_var.items() if param != "SecretArn"}
    leaked = sorted(set(by_var) & set(SECRET_VARS))
    if leaked:
        fail(f"template.yaml passes secret variables as parameters: {', '.join(leaked)}")
    values = {"SecretArn": secret_arn}
    for var, param in sorted(by_var.items()):
        if param not in specs:
            fail(f"template.yaml has no parameter {param} (for {var})")
        # Every parameter is passed, the default when unset, so unsetting a variable
        # takes effect on the next deploy instead of keeping the previous value.
        values[param] = env(var) or str(specs[param].get("Default", ""))
    missing = [p for p, s in specs.items() if "Default" not in s and p not in values]
    if missing:
        fail(f"no value for the template's required parameters {', '.join(missing)}")
    for name, value in values.items():
        check_value(name, specs[name], value)
    return values


def check_template():
    template = load_template()
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    bins = {t["name"] for p in meta["packages"] for t in p["targets"] if "bin" in t["kind"]}
    functions = 0
    for name, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        functions += 1
        binary = res.get("Metadata", {}).get("BuildProperties", {}).get("Binary")
        if binary not in bins:
            fail(f"{name} builds binary {binary!r}, which is no binary of the workspace")
    print(f"template: {functions} functions, each a workspace binary")


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command = argv[1]
    if command == "secret" and len(argv) == 3:
        write_private(argv[2], json.dumps(secret_payload()))
    elif command == "verify-secret" and len(argv) == 3:
        with open(argv[2], encoding="utf-8") as f:
            stored = json.load(f)
        if stored != secret_payload():
            fail("the secret file does not hold the environment's values exactly")
        print(f"secret: {', '.join(sorted(stored))} (each exactly as set)")
    elif command == "parameters" and len(argv) == 4:
        write_private(argv[2], yaml.safe_dump(parameters(argv[3]), default_flow_style=False, allow_unicode=True))
    elif command == "verify-parameters" and len(argv) == 4:
        from samcli.cli.types import CfnParameterOverridesType  # the SAM CLI's parser

        read = CfnParameterOverridesType().convert(f"file://{argv[2]}", None, None)
        if read != parameters(argv[3]):
            fail("sam deploy would not read the parameters file back as written")
        print(f"parameters: {len(read)}, read back by sam deploy exactly as set")
    elif command == "check-template" and len(argv) == 2:
        check_template()
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv)
