"""Sign-in accounts for the people an admin adds or changes: Cognito users and groups when deployed.

The directory (the table) says what a person may do in Mentiondesk; Cognito says who they are and
carries the role into their tokens as a group. Both change together: a new person gets a Cognito
user with the tenant as an immutable attribute and an invitation email; a role change moves them
to the other group and signs them out everywhere (refresh tokens revoked at once; an access token
already issued keeps its old role until it expires, at most an hour).
Locally there is no Cognito: the dev login reads the directory at each sign-in.
"""

from typing import Any, Protocol

from mentiondesk.errors import Conflict, InvalidRequest


class SignInAccounts(Protocol):
    def create(self, tenant: str, email: str, name: str, role: str) -> str | None:
        """Create the sign-in account; answers its user id (the token's `sub`), or None to choose one."""
        ...

    def change_role(self, email: str, old: str, new: str) -> None: ...


class LocalAccounts:
    """The local stack: the dev login reads the directory, so nothing else keeps accounts."""

    def create(self, tenant: str, email: str, name: str, role: str) -> str | None:
        return None

    def change_role(self, email: str, old: str, new: str) -> None:
        return None


class CognitoAccounts:
    def __init__(self, client: Any, pool_id: str) -> None:
        self.client = client
        self.pool_id = pool_id

    def create(self, tenant: str, email: str, name: str, role: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.admin_create_user(
                UserPoolId=self.pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": name},
                    {"Name": "custom:tenant_id", "Value": tenant},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "UsernameExistsException":
                raise Conflict("a sign-in account with that email exists already") from None
            if code in ("InvalidParameterException", "InvalidPasswordException"):
                raise InvalidRequest("Cognito refused the account's details") from None
            raise
        attributes = {a["Name"]: a["Value"] for a in answer["User"].get("Attributes", [])}
        self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email, GroupName=role)
        return attributes.get("sub")

    def change_role(self, email: str, old: str, new: str) -> None:
        self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email, GroupName=new)
        self.client.admin_remove_user_from_group(UserPoolId=self.pool_id, Username=email, GroupName=old)
        self.client.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=email)
