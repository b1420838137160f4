"""Reading template.yaml for the local stack: the one source of truth for tables, queues,
functions, HTTP routes, schedules and state machines.

Intrinsics are resolved against local names (a moto account and region); anything that only exists
in AWS (Cognito, the secret) resolves to a marker and the local stack overrides what uses it.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACCOUNT = "123456789012"
UNRESOLVED = "local-unresolved"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !Sub, !GetAtt ...)."""


def _construct(tag: str) -> Any:
    name = "Ref" if tag == "Ref" else f"Fn::{tag}"

    def build(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return build


for _tag in (
    "Ref",
    "Sub",
    "GetAtt",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "Base64",
    "ImportValue",
    "GetAZs",
    "Condition",
    "Cidr",
):
    _CfnLoader.add_constructor(f"!{_tag}", _construct(_tag))


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        # Safe: _CfnLoader is a SafeLoader whose only added constructors turn CloudFormation tags into
        # plain dicts of scalars, lists and mappings; no Python object can be built.
        data = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506  # nosec B506
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a template")
    return data


@dataclass
class Route:
    method: str  # GET, POST, ANY
    path: str  # /api/{proxy+}
    function: str  # logical id
    authorized: bool

    def pattern(self) -> re.Pattern[str]:
        regex = ""
        for part in re.split(r"(\{[^}]+\})", self.path):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        return re.compile(f"^{regex}$")

    def specificity(self) -> tuple[int, int]:
        # API Gateway prefers exact paths, then fewer greedy variables, then longer paths.
        return (0 if "{" in self.path else 1, len(self.path))


@dataclass
class Function:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    timeout: int
    memory: int
    routes: list[Route] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)
    queues: list[tuple[str, int]] = field(default_factory=list)  # (queue logical id, batch size): SQS event sources


@dataclass
class StateMachine:
    logical_id: str
    name: str
    definition: str
    kind: str = "STANDARD"  # or EXPRESS


@dataclass
class LocalTemplate:
    root: Path
    raw: dict[str, Any]
    names: dict[str, str]  # logical id -> local physical name
    arns: dict[str, str]
    functions: dict[str, Function]
    state_machines: dict[str, StateMachine]

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.raw["Resources"].items() if v.get("Type") == kind}

    def routes(self) -> list[Route]:
        routes = [r for f in self.functions.values() for r in f.routes]
        return sorted(routes, key=Route.specificity, reverse=True)

    def resolve(self, value: Any) -> Any:
        return _Resolver(self).resolve(value)


class _Resolver:
    def __init__(self, template: LocalTemplate) -> None:
        self.t = template
        self.params = {k: str(v.get("Default", "")) for k, v in template.raw.get("Parameters", {}).items()}
        self.pseudo = {
            "AWS::Region": "us-east-1",
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": "mentiondesk-local",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::Partition": "aws",
        }

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.t.raw.get("Conditions", {})[name]))

    def ref(self, name: str) -> Any:
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name == "AWS::NoValue":
            return None
        resource = self.t.raw["Resources"].get(name)
        if resource is None:
            raise KeyError(f"!Ref {name}: no such parameter or resource")
        kind = resource["Type"]
        if kind in ("AWS::Serverless::StateMachine", "AWS::SNS::Topic"):
            return self.t.arns.get(name, UNRESOLVED)  # Ref of these is their ARN
        if kind == "AWS::SQS::Queue":
            return f"http://localhost/{ACCOUNT}/{self.t.names.get(name, name)}"
        return self.t.names.get(name, UNRESOLVED)

    def get_att(self, name: str, attribute: str) -> Any:
        if attribute == "Arn":
            return self.t.arns.get(name, UNRESOLVED)
        if attribute in ("QueueName", "Name"):
            return self.t.names.get(name, UNRESOLVED)
        return UNRESOLVED

    def sub(self, spec: Any) -> str:
        text, extra = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])

        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in extra:
                return str(self.resolve(extra[key]))
            if "." in key:
                return str(self.get_att(*key.split(".", 1)))
            return str(self.ref(key))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(i) for i in value) if v is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                return self.get_att(*(arg if isinstance(arg, list) else arg.split(".", 1)))
            if key == "Fn::Sub":
                return self.sub(arg)
            if key == "Fn::If":
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::Equals":
                return self.resolve(arg[0]) == self.resolve(arg[1])
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(a) for a in arg)
            if key == "Fn::Or":
                return any(self.resolve(a) for a in arg)
            if key == "Fn::Join":
                return arg[0].join(str(self.resolve(a)) for a in self.resolve(arg[1]))
            if key == "Condition":
                return self.condition(arg)
        return {k: self.resolve(v) for k, v in value.items()}


def _local_name(logical_id: str) -> str:
    return f"mentiondesk-local-{logical_id}"


def load_template(root: Path) -> LocalTemplate:
    """Read template.yaml under `root` and work out everything the local stack creates."""
    raw = load_yaml(root / "template.yaml")
    resources = raw["Resources"]
    names: dict[str, str] = {}
    arns: dict[str, str] = {}
    for logical_id, resource in resources.items():
        kind = resource["Type"]
        name = _local_name(logical_id)
        names[logical_id] = name
        if kind == "AWS::Serverless::Function":
            arns[logical_id] = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
        elif kind == "AWS::Serverless::StateMachine":
            arns[logical_id] = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}"
        elif kind == "AWS::DynamoDB::Table":
            arns[logical_id] = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}"
        elif kind == "AWS::SQS::Queue":
            arns[logical_id] = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
        elif kind == "AWS::S3::Bucket":
            names[logical_id] = name.lower()  # bucket names are lower case
            arns[logical_id] = f"arn:aws:s3:::{name.lower()}"
        elif kind == "AWS::SNS::Topic":
            arns[logical_id] = f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}"
        elif kind == "AWS::IAM::Role":
            arns[logical_id] = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    template = LocalTemplate(root, raw, names, arns, {}, {})
    # A function with a fixed FunctionName keeps it: other resources build its ARN from that name.
    for logical_id, resource in resources.items():
        fixed = resource.get("Properties", {}).get("FunctionName")
        if resource["Type"] == "AWS::Serverless::Function" and fixed is not None:
            names[logical_id] = str(template.resolve(fixed))
            arns[logical_id] = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{names[logical_id]}"

    globals_fn = raw.get("Globals", {}).get("Function", {})
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        env = dict(globals_fn.get("Environment", {}).get("Variables", {}))
        env.update(props.get("Environment", {}).get("Variables", {}))
        resolved_env = {k: str(v) for k, v in template.resolve(env).items() if v is not None}
        function = Function(
            logical_id=logical_id,
            name=names[logical_id],
            code_dir=root / props["CodeUri"],
            handler=props["Handler"],
            environment=resolved_env,
            timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
            memory=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
        )
        for event in (props.get("Events") or {}).values():
            eprops = event.get("Properties", {})
            if event["Type"] == "HttpApi":
                auth = (eprops.get("Auth") or {}).get("Authorizer")
                function.routes.append(
                    Route(eprops["Method"].upper(), eprops["Path"], logical_id, authorized=auth != "NONE")
                )
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                function.schedules.append(str(eprops.get("Schedule") or eprops.get("ScheduleExpression")))
            elif event["Type"] == "SQS":
                function.queues.append((_logical_id_of(eprops["Queue"]), int(eprops.get("BatchSize", 10))))
        template.functions[logical_id] = function

    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::StateMachine":
            continue
        props = resource["Properties"]
        text = (root / props["DefinitionUri"]).read_text(encoding="utf-8")
        substitutions = template.resolve(props.get("DefinitionSubstitutions", {}))
        for key, value in substitutions.items():
            text = text.replace("${" + key + "}", str(value))
        json.loads(text)  # a broken definition fails here, with the file named above
        kind = str(props.get("Type", "STANDARD"))
        template.state_machines[logical_id] = StateMachine(logical_id, names[logical_id], text, kind)
    return template


def _logical_id_of(reference: Any) -> str:
    """The resource a `!GetAtt X.Arn` (or `!Ref X`) names."""
    if isinstance(reference, dict) and len(reference) == 1:
        ((key, arg),) = reference.items()
        if key == "Fn::GetAtt":
            return str(arg[0] if isinstance(arg, list) else arg.split(".", 1)[0])
        if key == "Ref":
            return str(arg)
    raise ValueError(f"cannot tell which resource {reference!r} names")


def rate_seconds(expression: str) -> float:
    """Seconds between ticks of `rate(N unit)`; cron expressions are not ticked locally."""
    match = re.fullmatch(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)", expression.strip())
    if not match:
        raise ValueError(f"only rate() schedules run locally, not {expression!r}")
    amount, unit = int(match.group(1)), match.group(2).rstrip("s")
    return amount * {"minute": 60, "hour": 3600, "day": 86400}[unit]
