"""cfn-lint rule E9101: every Lambda function logs to its own log group, and that group has a retention.

It replaces serverless-rules' WS1004, which only knows log groups named ``/aws/lambda/<function>``
and so cannot see ours: each function names its group with ``LoggingConfig.LogGroup`` (STYLE.md 9).
``make lint`` loads it with ``cfn-lint template.yaml --append-rules ... scripts/cfn_lint_rules``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

FUNCTION_TYPES = ["AWS::Lambda::Function", "AWS::Serverless::Function"]


class FunctionLogGroupRetention(CloudFormationLintRule):
    """A function without ``LoggingConfig.LogGroup``, a group without retention, or a shared group."""

    id = "E9101"
    shortdesc = "Function log group with retention"
    description = (
        "Every Lambda function sets LoggingConfig.LogGroup to a Ref of its own AWS::Logs::LogGroup, "
        "and that log group has RetentionInDays"
    )
    source_url = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html"
    tags: ClassVar[list[str]] = ["lambda", "logs"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        log_groups = cfn.get_resources(["AWS::Logs::LogGroup"])
        owners: dict[str, str] = {}
        matches = []
        for name, function in cfn.get_resources(FUNCTION_TYPES).items():
            logging_config = (function.get("Properties") or {}).get("LoggingConfig") or {}
            target = logging_config.get("LogGroup") if isinstance(logging_config, dict) else None
            path = ["Resources", name, "Properties", "LoggingConfig", "LogGroup"]
            group = target.get("Ref") if isinstance(target, dict) and list(target) == ["Ref"] else None
            if group not in log_groups:
                matches.append(
                    RuleMatch(
                        path[:2],
                        f"Lambda function {name} must set LoggingConfig.LogGroup to !Ref an AWS::Logs::LogGroup "
                        "of its own (without one it logs to /aws/lambda/... and its logs never expire)",
                    )
                )
                continue
            if "RetentionInDays" not in (log_groups[group].get("Properties") or {}):
                matches.append(RuleMatch(["Resources", group], f"Log group {group} of {name} has no RetentionInDays"))
            if group in owners:
                matches.append(RuleMatch(path, f"Lambda functions {owners[group]} and {name} share log group {group}"))
            owners.setdefault(group, name)
        return matches
