"""Each function's IAM role grants what its code calls, and nothing more.

What the code calls is read from the source, not from a list kept beside the template:

  1. functions/<binary>/src/main.rs names its entry points (`leadflow::app::init_lambda`,
     `leadflow::workers::sqs::run_lambda`...);
  2. from each entry point, the bodies of the crate functions it calls are followed
     (`Type::name(` and `name(`), and every adapter it constructs (`Type::new(`) whose
     source uses an AWS SDK crate is collected;
  3. each adapter's SDK operations are the `client.<operation>()` calls in its file,
     turned into IAM actions (`put_item` -> `dynamodb:PutItem`; IAM has no separate
     action for the batch calls, so `send_message_batch` -> `sqs:SendMessage`);
  4. the resources: an adapter's resource comes from the variable the configuration reads
     for it (`JOBS_QUEUE_URL`...), which the template sets from one of its resources; a
     function that runs the SQS host gets receive/delete on its own event source's queue
     only (Lambda polls with the function's role); logs go to its own log group.

The test fails when a role grants an action the code does not call, on any resource the
code does not name, or lacks one it calls; when a function still uses SAM's policy
templates; and it checks itself by widening a role and expecting to be told.
Run by scripts/test.sh with .cache/venv-deploy's Python (PyYAML).
"""

import copy
import functools
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
from deploy_config import load_template  # noqa: E402

SRC = os.path.join(ROOT, "shared", "src")
# The SDK crate's service -> the IAM prefix and the resource type its actions act on.
SERVICES = {
    "sqs": ("sqs", "AWS::SQS::Queue"),
    "dynamodb": ("dynamodb", "AWS::DynamoDB::Table"),
    "eventbridge": ("events", "AWS::Events::EventBus"),
    "secretsmanager": ("secretsmanager", None),
}
# Batch calls are authorised by the single-item action.
BATCH_ACTIONS = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}
# What Lambda's SQS event source mapping calls with the function's role.
EVENT_SOURCE_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
VPC_POLICY = "AWSLambdaVPCAccessExecutionRole"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def rust_files():
    for dirpath, _, names in os.walk(SRC):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(dirpath, name)
                yield path, read(path)


FILES = dict(rust_files())


def body_at(text, start):
    """The brace-matched body that opens at or after `start`."""
    i = text.index("{", start)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i : j + 1]
    raise ValueError("unbalanced braces")


def index_functions():
    """Every crate function's body by name (a name defined twice keeps both)."""
    out = {}
    for path, text in FILES.items():
        for m in re.finditer(r"\bfn (\w+)\s*[<(]", text):
            try:
                out.setdefault(m.group(1), []).append((path, body_at(text, m.end())))
            except ValueError:
                continue
    return out


FUNCTIONS = index_functions()


def bodies_of(name):
    """Every crate function called `name` (over-approximates: all of them)."""
    return FUNCTIONS.get(name, [])


def aws_types():
    """Structs whose file uses exactly one AWS SDK crate (an adapter), with that file and
    its service. app/mod.rs, which names several to build them, is no adapter."""
    out = {}
    for path, text in FILES.items():
        services = sorted(set(re.findall(r"\baws_sdk_(\w+)::", text)) & set(SERVICES))
        if len(services) != 1:
            continue
        for m in re.finditer(r"pub struct (\w+)", text):
            out[m.group(1)] = (path, services[0])
    return out


AWS_TYPES = aws_types()


def operations(path, service):
    """The IAM actions of the SDK calls in one adapter file."""
    prefix, _ = SERVICES[service]
    actions = set()
    for op in re.findall(r"client\s*\.\s*([a-z_]+)\(\)", FILES[path]):
        pascal = "".join(w.capitalize() for w in op.split("_"))
        actions.add(f"{prefix}:{BATCH_ACTIONS.get(pascal, pascal)}")
    return actions


@functools.cache
def reached(entry_names):
    """Adapters (types with an AWS SDK) constructed by `entry_names`, transitively."""
    seen, adapters, todo = set(), set(), list(entry_names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for _, body in bodies_of(name):
            for typ, fn in re.findall(r"\b([A-Z]\w*)::([a-z_]\w*)\s*\(", body):
                if typ in AWS_TYPES:
                    adapters.add(typ)
                todo.append(fn)
            todo.extend(re.findall(r"(?<![\w.:])([a-z_]\w*)\s*\(", body))
    return adapters, seen


def env_resources(template):
    """Environment variable -> the template resource it is set from."""
    out = {}
    for name, value in template["Globals"]["Function"]["Environment"]["Variables"].items():
        if isinstance(value, dict) and "Ref" in value:
            out[name] = value["Ref"]
    return out


def config_vars_for(adapters):
    """The variables whose settings the code hands to the adapters: every AWS setting the
    configuration reads (`aws: AwsSettings { field: v.optional("VAR") }`)."""
    config = FILES[os.path.join(SRC, "config", "mod.rs")]
    aws_block = body_at(config, config.index("aws: AwsSettings {") + len("aws: AwsSettings"))
    return set(re.findall(r'v\.optional\("([A-Z_]+)"\)', aws_block)) - {"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"}


def ref_of(value):
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "GetAtt" in value:
            target = value["GetAtt"]
            return (target.split(".")[0] if isinstance(target, str) else target[0])
    return repr(value)


def derive(template, fn_name, fn):
    """(action, resource) pairs the function's code needs."""
    binary = fn["Metadata"]["BuildProperties"]["Binary"]
    main = read(os.path.join(ROOT, "functions", binary, "src", "main.rs"))
    entries = re.findall(r"leadflow::(?:\w+::)*([a-z_]\w*)\s*\(", main)
    adapters, reached_fns = reached(tuple(entries))
    resources = template["Resources"]
    env = env_resources(template)
    aws_vars = config_vars_for(adapters)
    secret_var = re.search(r'SECRET_ARN_VAR: &str = "([A-Z_]+)"', FILES[os.path.join(SRC, "config", "secret.rs")])
    needs = set()
    for adapter in adapters:
        path, service = AWS_TYPES[adapter]
        _, rtype = SERVICES[service]
        if rtype is None:  # the secret: the resource named by its variable
            targets = {env[secret_var.group(1)]}
        else:
            targets = {env[v] for v in aws_vars if v in env and resources.get(env[v], {}).get("Type") == rtype}
        for action in operations(path, service):
            needs |= {(action, t) for t in targets}
    sqs_events = [e for e in fn["Properties"].get("Events", {}).values() if e["Type"] == "SQS"]
    if "run_lambda" in reached_fns and any("SqsEvent" in b for _, b in bodies_of("run_lambda")):
        if len(sqs_events) != 1:
            raise AssertionError(f"{fn_name} runs the SQS host but has {len(sqs_events)} SQS event sources")
        queue = ref_of(sqs_events[0]["Properties"]["Queue"])
        needs |= {(a, queue) for a in EVENT_SOURCE_ACTIONS}
    elif sqs_events:
        raise AssertionError(f"{fn_name} has an SQS event source but its binary does not run the SQS host")
    log_group = ref_of(fn["Properties"]["LoggingConfig"]["LogGroup"])
    needs |= {(a, log_group) for a in LOG_ACTIONS}
    return needs, adapters


def granted(template, fn_name, fn):
    """(action, resource) pairs the function's role grants; problems found on the way."""
    problems = []
    props = fn["Properties"]
    if "Policies" in props:
        problems.append("uses SAM policy templates (Policies) instead of its own role")
    role_name = ref_of(props.get("Role"))
    role = template["Resources"].get(role_name)
    if not role or role["Type"] != "AWS::IAM::Role":
        return set(), problems + [f"has no role of its own ({role_name})"]
    managed = role["Properties"].get("ManagedPolicyArns")
    if managed is not None and VPC_POLICY not in repr(managed):
        problems.append(f"{role_name} attaches managed policies {managed!r}")
    pairs = set()
    for policy in role["Properties"].get("Policies", []):
        for st in policy["PolicyDocument"]["Statement"]:
            if st.get("Effect") != "Allow":
                continue
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            for a in actions:
                if "*" in a:
                    problems.append(f"{role_name} grants a wildcard action {a}")
                for r in res:
                    if r == "*":
                        problems.append(f"{role_name} grants {a} on every resource")
                    pairs.add((a, ref_of(r)))
    return pairs, problems


def check(template):
    problems = []
    functions = {n: r for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    if not functions:
        return ["the template has no functions"]
    roles_seen = {}
    for name, fn in sorted(functions.items()):
        needs, _ = derive(template, name, fn)
        grants, found = granted(template, name, fn)
        problems += [f"{name}: {p}" for p in found]
        role = ref_of(fn["Properties"].get("Role"))
        if role in roles_seen:
            problems.append(f"{name}: shares its role with {roles_seen[role]}")
        roles_seen[role] = name
        for action, resource in sorted(grants - needs):
            problems.append(f"{name}: grants {action} on {resource}, which its code does not use")
        for action, resource in sorted(needs - grants):
            problems.append(f"{name}: its code calls {action} on {resource}, which its role does not grant")
    return problems


def statements(template, role):
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def self_test(template):
    """The check notices a role widened in the ways the issue found roles too wide."""
    cases = []
    t = copy.deepcopy(template)
    statements(t, "SchedulerRole").append(
        {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": {"GetAtt": "TasksQueue.Arn"}}
    )
    cases.append(("the scheduler reading the tasks queue", t))
    t = copy.deepcopy(template)
    statements(t, "ApiCrmRole").append(
        {"Effect": "Allow", "Action": ["dynamodb:Scan", "dynamodb:BatchWriteItem"], "Resource": {"GetAtt": "StateTable.Arn"}}
    )
    cases.append(("table actions the code never calls", t))
    t = copy.deepcopy(template)
    for st in statements(t, "WorkerTasksRole"):
        if st.get("Sid") == "ReceiveOwnQueue":
            st["Resource"] = [st["Resource"], {"GetAtt": "JobsQueue.Arn"}]
    cases.append(("a worker receiving from another queue", t))
    t = copy.deepcopy(template)
    t["Resources"]["ApiLeadsFunction"]["Properties"]["Policies"] = [{"SQSPollerPolicy": {"QueueName": "x"}}]
    cases.append(("SAM policy templates", t))
    t = copy.deepcopy(template)
    statements(t, "ApiTasksRole")[:] = [s for s in statements(t, "ApiTasksRole") if s.get("Sid") != "PublishEvents"]
    cases.append(("a role missing what the code calls", t))
    return [name for name, t in cases if not check(t)]


def main():
    template = load_template()
    problems = check(template)
    missed = self_test(template)
    for p in problems:
        print(f"FAIL {p}")
    for m in missed:
        print(f"FAIL the check did not notice {m}")
    functions = [n for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    if problems or missed:
        print(f"least_privilege: {len(problems) + len(missed)} failed")
        sys.exit(1)
    print(f"least_privilege: {len(functions)} functions, each role exactly what its code calls; 5 widened roles caught")


if __name__ == "__main__":
    main()
