"""Tenants, teams, users (agents) and channel accounts: small partitions, read by GetItem or Query."""

from typing import Any

from botocore.exceptions import ClientError

from mentiondesk.errors import Conflict, NotFound
from mentiondesk.models import Agent, ChannelAccount, Team
from mentiondesk.sla.calendar import BusinessCalendar
from mentiondesk.store import keys
from mentiondesk.store.dynamo import Table, assignments, cancellation_codes, error_code


def _fields(model: type[Agent] | type[ChannelAccount] | type[Team], item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in model.model_fields}


class DirectoryStore:
    """Who and what belongs to a tenant."""

    def __init__(self, table: Table) -> None:
        self.table = table

    # -- tenants and teams ----------------------------------------------------------------------

    def put_tenant(self, tenant: str, name: str, now: str) -> None:
        self.table.put(
            {
                "PK": keys.TENANTS_PK,
                "SK": keys.tenant_pk(tenant),
                "entity": "tenant",
                "tenant_id": tenant,
                "name": name,
                "created_at": now,
            }
        )

    def tenants(self) -> list[str]:
        """Every tenant id (the registry partition; used by schedules, never by requests)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": keys.TENANTS_PK}
        )
        return [i["tenant_id"] for i in items]

    def put_team(self, team: Team) -> None:
        self.table.put(
            {
                "PK": keys.tenant_pk(team.tenant_id),
                "SK": keys.team_sk(team.id),
                "entity": "team",
                **team.model_dump(mode="json"),
            }
        )

    def teams(self, tenant: str) -> list[Team]:
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": keys.tenant_pk(tenant), ":p": "TEAM#"},
        )
        return [Team.model_validate(_fields(Team, i)) for i in items]

    def team(self, tenant: str, team: str) -> Team | None:
        item = self.table.get({"PK": keys.tenant_pk(tenant), "SK": keys.team_sk(team)})
        return Team.model_validate(_fields(Team, item)) if item else None

    def set_calendar(self, tenant: str, team_id: str, version: int, calendar: BusinessCalendar | None) -> Team:
        """Replace a team's calendar if `version` is current (None: back to the default calendar)."""
        key = {"PK": keys.tenant_pk(tenant), "SK": keys.team_sk(team_id)}
        vals: dict[str, Any] = {":v": version, ":one": 1}
        if calendar is None:
            expression = "REMOVE calendar SET #version = if_not_exists(#version, :one) + :one"
        else:
            expression = "SET calendar = :c, #version = if_not_exists(#version, :one) + :one"
            vals[":c"] = calendar.model_dump(mode="json")
        try:
            item = self.table.update(
                key,
                expression,
                # Teams written before versions existed count as version 1.
                condition="attribute_exists(PK) AND "
                + ("(#version = :v OR attribute_not_exists(#version))" if version == 1 else "#version = :v"),
                names={"#version": "version"},
                vals=vals,
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                current = self.team(tenant, team_id)
                if current is None:
                    raise NotFound("no such team") from error
                raise Conflict("the team changed since you read it", current=current.model_dump(mode="json")) from error
            raise
        return Team.model_validate(_fields(Team, item))

    def create_team(self, team: Team) -> Team:
        """A new team (Conflict when the id is taken)."""
        try:
            self.table.put(
                {"PK": keys.tenant_pk(team.tenant_id), "SK": keys.team_sk(team.id), "entity": "team"}
                | team.model_dump(mode="json", exclude_none=True),
                condition="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise Conflict(f"team {team.id!r} exists already") from error
            raise
        return team

    def update_team(self, tenant: str, team_id: str, version: int, changes: dict[str, Any]) -> Team:
        """Change a team's name or assignment strategy if `version` is current."""
        item = self._versioned_update(
            {"PK": keys.tenant_pk(tenant), "SK": keys.team_sk(team_id)},
            version,
            changes,
            lambda: self.team(tenant, team_id),
            "team",
        )
        return Team.model_validate(_fields(Team, item))

    def _versioned_update(
        self, key: dict[str, str], version: int, changes: dict[str, Any], current: Any, what: str
    ) -> dict[str, Any]:
        sets, names, vals = assignments(changes)
        vals |= {":v": version, ":one": 1}
        names |= {"#version": "version"}
        try:
            return self.table.update(
                key,
                f"SET {sets + ', ' if sets else ''}#version = if_not_exists(#version, :one) + :one",
                # Records written before versions existed count as version 1.
                condition="attribute_exists(PK) AND "
                + ("(#version = :v OR attribute_not_exists(#version))" if version == 1 else "#version = :v"),
                names=names,
                vals=vals,
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                now = current()
                if now is None:
                    raise NotFound(f"no such {what}") from error
                raise Conflict(f"the {what} changed since you read it", current=now.model_dump(mode="json")) from error
            raise

    # -- users / agents -------------------------------------------------------------------------

    def create_agent(self, agent: Agent) -> Agent:
        """A new user of the tenant (Conflict when the id or the email is taken)."""
        if any(a.email.lower() == agent.email.lower() for a in self.agents(agent.tenant_id)):
            raise Conflict("someone in this tenant already has that email")
        try:
            self.table.put(
                {
                    "PK": keys.tenant_pk(agent.tenant_id),
                    "SK": keys.user_sk(agent.id),
                    "entity": "user",
                    "email_lower": agent.email.lower(),
                    **agent.model_dump(mode="json"),
                },
                condition="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise Conflict("that user exists already") from error
            raise
        return agent

    def update_agent(self, tenant: str, user_id: str, version: int, changes: dict[str, Any]) -> Agent:
        """Change a user's role, team, skills or capacity if `version` is current."""

        def current() -> Agent | None:
            try:
                return self.agent(tenant, user_id)
            except NotFound:
                return None

        item = self._versioned_update(
            {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(user_id)}, version, changes, current, "user"
        )
        return Agent.model_validate(_fields(Agent, item))

    def put_agent(self, agent: Agent) -> None:
        self.table.put(
            {
                "PK": keys.tenant_pk(agent.tenant_id),
                "SK": keys.user_sk(agent.id),
                "entity": "user",
                "email_lower": agent.email.lower(),
                **agent.model_dump(mode="json"),
            }
        )

    def set_online(self, tenant: str, user_id: str, online: bool, now: str) -> Agent:
        """An agent goes online or away; NotFound for someone who is not a user of this tenant."""
        try:
            item = self.table.update(
                {"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(user_id)},
                "SET #online = :online, status_changed_at = :now",
                condition="attribute_exists(PK)",
                names={"#online": "online"},
                vals={":online": online, ":now": now},
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in error_code(error):
                raise NotFound("no such user") from error
            raise
        return Agent.model_validate(_fields(Agent, item))

    def agent(self, tenant: str, user_id: str) -> Agent:
        item = self.table.get({"PK": keys.tenant_pk(tenant), "SK": keys.user_sk(user_id)})
        if not item:
            raise NotFound("user not found")
        return Agent.model_validate(_fields(Agent, item))

    def agents(self, tenant: str) -> list[Agent]:
        """All users of a tenant, read consistently (assignment decides on these numbers)."""
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": keys.tenant_pk(tenant), ":p": "USER#"},
            ConsistentRead=True,
        )
        return [Agent.model_validate(_fields(Agent, i)) for i in items]

    # -- channel accounts -----------------------------------------------------------------------

    def register_channel(self, account: ChannelAccount) -> None:
        """Register a platform account for a tenant; Conflict if any tenant already has it."""
        try:
            self.table.transact(
                [
                    {
                        "Put": {
                            "Item": {
                                "PK": keys.account_pk(account.platform, account.account_id),
                                "SK": keys.ACCOUNT_SK,
                                "entity": "account_route",
                                "tenant_id": account.tenant_id,
                                "team": account.team,
                                "handle": account.handle,
                            },
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Put": {
                            "Item": {
                                "PK": keys.tenant_pk(account.tenant_id),
                                "SK": keys.channel_sk(account.platform, account.account_id),
                                "entity": "channel",
                                **account.model_dump(mode="json"),
                            },
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        # A tenant with a channel is in the registry the schedules walk (kept if present).
                        "Update": {
                            "Key": {"PK": keys.TENANTS_PK, "SK": keys.tenant_pk(account.tenant_id)},
                            "UpdateExpression": (
                                "SET entity = :e, tenant_id = :t, created_at = if_not_exists(created_at, :n)"
                            ),
                            "ExpressionAttributeValues": {
                                ":e": "tenant",
                                ":t": account.tenant_id,
                                ":n": account.created_at,
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise Conflict("this account is already registered") from error
            raise

    def channels(self, tenant: str) -> list[ChannelAccount]:
        items = self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": keys.tenant_pk(tenant), ":p": "CHANNEL#"},
        )
        return [ChannelAccount.model_validate(_fields(ChannelAccount, i)) for i in items]

    def revoke_channel(self, platform: str, account_id: str, at: str) -> bool:
        """Mark a channel account revoked (routing item and the tenant's record); False if it already was."""
        route = self.route(platform, account_id)
        if route is None or route.get("status") == "revoked":
            return False
        try:
            self.table.transact(
                [
                    {
                        "Update": {
                            "Key": {"PK": keys.account_pk(platform, account_id), "SK": keys.ACCOUNT_SK},
                            "UpdateExpression": "SET #status = :revoked, revoked_at = :at",
                            "ConditionExpression": (
                                "attribute_exists(PK) AND (attribute_not_exists(#status) OR #status <> :revoked)"
                            ),
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":revoked": "revoked", ":at": at},
                        }
                    },
                    {
                        "Update": {
                            "Key": {
                                "PK": keys.tenant_pk(route["tenant_id"]),
                                "SK": keys.channel_sk(platform, account_id),
                            },
                            "UpdateExpression": "SET #status = :revoked, revoked_at = :at",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":revoked": "revoked", ":at": at},
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                return False
            raise
        return True

    def reconnect_channel(self, tenant: str, platform: str, account_id: str, at: str, by: str) -> ChannelAccount:
        """Make a revoked channel account active again (after the brand authorised the app anew).

        NotFound unless the tenant has this account; Conflict if it is not revoked."""
        route = self.route(platform, account_id)
        if route is None or route.get("tenant_id") != tenant:
            raise NotFound("no such channel account")
        if route.get("status") != "revoked":
            raise Conflict("this account is not revoked")
        update = {
            "UpdateExpression": "SET reconnected_at = :at, reconnected_by = :by REMOVE #status, revoked_at",
            "ConditionExpression": "#status = :revoked",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":revoked": "revoked", ":at": at, ":by": by},
        }
        try:
            self.table.transact(
                [
                    {"Update": {"Key": {"PK": keys.account_pk(platform, account_id), "SK": keys.ACCOUNT_SK}, **update}},
                    {
                        "Update": {
                            "Key": {"PK": keys.tenant_pk(tenant), "SK": keys.channel_sk(platform, account_id)},
                            **update,
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise Conflict("this account changed meanwhile; read it again") from error
            raise
        return next(c for c in self.channels(tenant) if c.platform == platform and c.account_id == account_id)

    def route(self, platform: str, account_id: str) -> dict[str, Any] | None:
        """Which tenant (and team) a platform account belongs to; None for unknown accounts."""
        return self.table.get({"PK": keys.account_pk(platform, account_id), "SK": keys.ACCOUNT_SK})
