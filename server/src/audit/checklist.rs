//! The checks no source can show (docs/security-rules.md, "Checklist items no source can
//! show"), each with where in Xano's dashboard to do it. The places are named as Xano's own
//! documentation names them (docs.xano.com: Account Settings, Instance Settings, Security
//! Policy, Metadata API, Manage Team, Data Sources, Sandbox, Database Connector, Request
//! History, Audit Logs, Backup and Restore).

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ManualItem {
    /// A stable key: the page stores each tick under it.
    pub id: &'static str,
    pub item: &'static str,
    pub why: &'static str,
    /// Where in the Xano dashboard (or CLI) to look.
    pub where_to_look: &'static str,
}

pub const MANUAL: &[ManualItem] = &[
    ManualItem {
        id: "2fa",
        item: "Two-factor authentication on every Xano account",
        why: "a stolen team password is a stolen backend; 2FA is the only thing between them",
        where_to_look: "each member: Account page → Enable 2FA; for the whole team: Instances → ⚙️ next to the instance → Security Policy → Require 2FA",
    },
    ManualItem {
        id: "team",
        item: "Team list and roles reviewed",
        why: "former collaborators and over-broad roles keep access nobody remembers granting",
        where_to_look: "Instances → the instance's menu → Manage Team: remove who left, give Read-only where editing is not needed",
    },
    ManualItem {
        id: "metadata-tokens",
        item: "Metadata API tokens and their scopes",
        why: "a leaked token with write scope can change every endpoint without touching the source",
        where_to_look: "Instances → ⚙️ next to the instance → Metadata API → Manage Access Tokens: check each token's scopes and expiry, revoke unused ones",
    },
    ManualItem {
        id: "security-policy",
        item: "Instance security policy (inactivity timeout, SSO hosts, IP rules)",
        why: "session and network limits are set on the instance, not in `.xs` files",
        where_to_look: "Instances → ⚙️ next to the instance → Security Policy: Inactivity Logout Time, Authentication Enforcement, Allowed SSO Hosts, Allow Direct Query",
    },
    ManualItem {
        id: "dev-data-source",
        item: "A non-live data source and branch for development",
        why: "testing against live data turns every experiment into a production incident",
        where_to_look: "the data source indicator in the left-hand navigation → Manage Data Sources (add a test data source); the branch menu: build on a branch that is not live",
    },
    ManualItem {
        id: "sandbox",
        item: "Sandbox previews",
        why: "preview environments often run with live credentials and no auth in front",
        where_to_look: "Xano CLI: `xano sandbox get` and `xano sandbox preview` show what a preview holds; Workspace settings: whether pushing without the sandbox is allowed",
    },
    ManualItem {
        id: "test-accounts",
        item: "Test accounts in the live data source",
        why: "test users with known passwords are the easiest way in",
        where_to_look: "Database → the auth table (usually `user`) with the live data source selected: delete test and demo accounts",
    },
    ManualItem {
        id: "database-connector",
        item: "Direct Database Connector allow-list",
        why: "a database port open to any address bypasses every endpoint check",
        where_to_look: "Instances → ⚙️ next to the instance → Database Connector: switch it off if nothing needs it, else know who holds its credentials and from where they connect",
    },
    ManualItem {
        id: "logs",
        item: "Request History and Audit Logs reviewed",
        why: "they show who already probed the API and whether secrets were logged",
        where_to_look: "Request History in the workspace navigation (failed calls, unknown callers, inputs and outputs); the workspace dashboard → ⋯ (top right) → Audit Logs",
    },
    ManualItem {
        id: "backup",
        item: "A manual backup before launch",
        why: "the first incident after launch should not also be data loss",
        where_to_look: "Instances → ⚙️ next to the instance → Backup and Restore: make a manual backup",
    },
];
