"""The local stack (`mentiondesk run`): everything in template.yaml, on this machine, with no AWS
account. None of this package runs in Lambda."""
