"""The single-table key design (mirrored in the comment above the table in template.yaml).

PK                                         SK                        item
TENANT#{t}                                 USER#{user_id}            agent / user profile
TENANT#{t}                                 TEAM#{team}               team and its strategy
TENANT#{t}                                 CHANNEL#{platform}#{id}   channel account
ACCOUNT#{platform}#{id}                    ACCOUNT                   platform account -> tenant (webhooks)
TENANTS                                    TENANT#{t}                tenant registry (schedules)
TENANT#{t}#TICKET#{ticket}                 TICKET                    the ticket
TENANT#{t}#TICKET#{ticket}                 MSG#{received}#{msg}      its messages
TENANT#{t}#TICKET#{ticket}                 EVT#{at}#{n}              its events
TENANT#{t}#TICKET#{ticket}                 NOTE#{at}#{id}            agents' private notes
TENANT#{t}#TICKET#{ticket}                 OUT#{at}#{n}{id}          outbox: replies and hiding, by state
TENANT#{t}#TICKET#{ticket}                 PRESENCE#{user}           who is viewing / typing (seconds; TTL)
TENANT#{t}#MSG#{platform}#{native_id}      MSG                       native id -> ticket (exactly once)
TENANT#{t}#CUST#{platform}#{user_id}       CUSTOMER                  customer profile (one per platform identity)
TENANT#{t}#CUST#{platform}#{user_id}       TICKET#{created}#{ticket} the customer's tickets (history in one Query)
TENANT#{t}#PERSON#{person}                 ID#{platform}:{user_id}   identities linked as one person
TENANT#{t}#CONV#{platform}#{acct}#{conv}   CONV                      DM conversation -> its latest ticket
TENANT#{t}#PENDING#{platform}#{native_id}  PENDING                   a reply that arrived before its parent
QUARANTINE#{platform}                      {received}#{id}           signed bodies we could not parse
MONITORS                                   {t}#{monitor}             X polling sources (schedules; API by prefix)
XRATE                                      {endpoint}                X rate-limit window of the deployment's app
XREAD#{yyyy-mm-dd}                         {post|user}#{id}          read register: billed once per UTC day (TTL)
TENANT#{t}#USAGE#{yyyy-mm}                 {provider}#{day}#{source} usage ledger (reads, calls, micro-dollars)
TENANT#{t}#REPLIES                         {sent_at}#{item}          replies sent (copy-paste check; TTL 90 days)
TENANT#{t}#ROLLUP#{dim}                    {day}#{value}#{shard}     report counters per day (store/rollups.py)
CSAT#{sha256 of the token}                 SURVEY                    a satisfaction survey (public link; TTL)
TENANT#{t}#CSAT#{yyyy-mm}                  {day}#{ticket}            a survey's answer (rating, masked comment)
TENANT#{t}#AUDIT#{yyyy-mm}                 {at}#{id}                 audit log (append-only; never updated)
TENANT#{t}#ERASED#{sha256}                 ERASED                    erased customer: erased_at only (TTL 400 days)
TENANT#{t}#TRIAGE                          {execution name}          a triage run's claim (ticket workflow; TTL 90 days)
TENANT#{t}#ALERTS                          AT#{at}#{id}              admin alerts (TTL 90 days)
TENANT#{t}#ALERTS                          KEY#{dedupe}              each alert raised once
TENANT#{t}                                 SLA#{policy}              SLA policy (ordered by its `order`)
TENANT#{t}                                 RULE#{rule}               automation rule
TENANT#{t}#NOTIFY#{user}                   {at}#{id}                 a person's notification feed (TTL 30 days)
TENANT#{t}#LABELS                          {at}#{ticket}#{id}        label correction (training data; TTL 2 years)
TENANT#{t}                                 MODEL#triage              the tenant's learned triage model

Indexes (projections ALL, so the inbox is one Query; GSI5 keys only):
GSI1 inbox by status   GSI1PK = TENANT#{t}#STATUS#{status}   GSI1SK = {updated_at}#{ticket}
GSI2 every ticket      GSI2PK = TENANT#{t}#TICKETS           GSI2SK = {updated_at}#{ticket}
GSI3 team queue        GSI3PK = TENANT#{t}#QUEUE#{team}      GSI3SK = {sla_due_at or NO_DUE}#{ticket}
                       (sparse: present only while a ticket waits for an agent; nearest SLA due first)
GSI4 SLA due           GSI4PK = TENANT#{t}#DUE               GSI4SK = {sla_due_at}#{ticket}
                       (sparse: present only while one of the ticket's SLA clocks runs)
GSI5 outbox sweep      GSI5PK = OUTBOX#{shard 0-3}           GSI5SK = {check_at}#{item}
                       (sparse: present only while an outbox item is PENDING or SENDING; the sweeper's)
Every key but the webhook routing item, the quarantine and the X app's own bookkeeping (monitor
registry, rate limits, read register: one X app per deployment) and the outbox sweep index starts
with the tenant; the monitor registry's sort key does, and the sweep index leads to ticket partitions.
"""


def tenant_pk(tenant: str) -> str:
    return f"TENANT#{tenant}"


def user_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def team_sk(team: str) -> str:
    return f"TEAM#{team}"


def channel_sk(platform: str, account_id: str) -> str:
    return f"CHANNEL#{platform}#{account_id}"


def account_pk(platform: str, account_id: str) -> str:
    return f"ACCOUNT#{platform}#{account_id}"


def ticket_pk(tenant: str, ticket_id: str) -> str:
    return f"TENANT#{tenant}#TICKET#{ticket_id}"


def message_sk(received_at: str, message_id: str) -> str:
    return f"MSG#{received_at}#{message_id}"


def event_sk(at: str, seq: str) -> str:
    return f"EVT#{at}#{seq}"


def native_pk(tenant: str, platform: str, native_id: str) -> str:
    return f"TENANT#{tenant}#MSG#{platform}#{native_id}"


def customer_pk(tenant: str, platform: str, user_id: str) -> str:
    return f"TENANT#{tenant}#CUST#{platform}#{user_id}"


def conversation_pk(tenant: str, platform: str, account_id: str, conversation_id: str) -> str:
    return f"TENANT#{tenant}#CONV#{platform}#{account_id}#{conversation_id}"


def pending_pk(tenant: str, platform: str, native_id: str) -> str:
    return f"TENANT#{tenant}#PENDING#{platform}#{native_id}"


def customer_id(platform: str, user_id: str) -> str:
    """The API's id of a customer identity: `<platform>:<platform user id>`."""
    return f"{platform}:{user_id}"


def customer_ticket_sk(created_at: str, ticket_id: str) -> str:
    return f"TICKET#{created_at}#{ticket_id}"


def person_pk(tenant: str, person_id: str) -> str:
    return f"TENANT#{tenant}#PERSON#{person_id}"


def status_gsi(tenant: str, status: str) -> str:
    return f"TENANT#{tenant}#STATUS#{status}"


def all_tickets_gsi(tenant: str) -> str:
    return f"TENANT#{tenant}#TICKETS"


def queue_gsi(tenant: str, team: str) -> str:
    return f"TENANT#{tenant}#QUEUE#{team}"


def due_gsi(tenant: str) -> str:
    return f"TENANT#{tenant}#DUE"


NO_DUE = "9999-12-31T23:59:59.999Z"
"""Sorts after every due time: a queued ticket without a running SLA clock waits behind the rest."""


def due_sk(due_at: str | None, ticket_id: str) -> str:
    return f"{due_at or NO_DUE}#{ticket_id}"


def notifications_pk(tenant: str, user_id: str) -> str:
    return f"TENANT#{tenant}#NOTIFY#{user_id}"


def corrections_pk(tenant: str) -> str:
    return f"TENANT#{tenant}#LABELS"


MODEL_SK = "MODEL#triage"


def activity_sk(updated_at: str, ticket_id: str) -> str:
    return f"{updated_at}#{ticket_id}"


def monitor_sk(tenant: str, monitor_id: str) -> str:
    return f"{tenant}#{monitor_id}"


def x_read_pk(day: str) -> str:
    return f"XREAD#{day}"


def usage_pk(tenant: str, month: str) -> str:
    return f"TENANT#{tenant}#USAGE#{month}"


def usage_sk(provider: str, day: str, source: str) -> str:
    return f"{provider}#{day}#{source}"


def alerts_pk(tenant: str) -> str:
    return f"TENANT#{tenant}#ALERTS"


def alert_sk(at: str, alert_id: str) -> str:
    return f"AT#{at}#{alert_id}"


def alert_key_sk(dedupe_key: str) -> str:
    return f"KEY#{dedupe_key}"


MONITORS_PK = "MONITORS"
X_RATE_PK = "XRATE"
TICKET_SK = "TICKET"
ACCOUNT_SK = "ACCOUNT"
NATIVE_SK = "MSG"
CUSTOMER_SK = "CUSTOMER"
CONVERSATION_SK = "CONV"
PENDING_SK = "PENDING"
TENANTS_PK = "TENANTS"
