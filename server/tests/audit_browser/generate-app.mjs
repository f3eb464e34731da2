// Writes a Xano workspace export of a large app into a folder: `node generate-app.mjs DIR [N]`
// makes N resources (default 36), each a table with nine endpoints (324 endpoints), spread
// over api groups, with the mistakes real apps have in realistic proportions: generated CRUD
// left public, missing ownership checks, `$input` written whole, groups without CORS
// settings, and long paths that test the report's layout.
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const [dir, count = "36"] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node generate-app.mjs DIR [RESOURCES]");
  process.exit(2);
}
const resources = Number(count);
const nouns = [
  "project", "invoice", "ticket", "customer", "contract", "shipment", "supplier", "payment",
  "document", "meeting", "campaign", "lead", "subscription", "warehouse", "product_variant",
  "inventory_item", "purchase_order", "expense_report", "timesheet", "support_case",
  "knowledge_article", "survey_response", "event_registration", "membership", "coupon",
  "refund_request", "delivery_slot", "vehicle", "maintenance_job", "booking", "review",
  "notification_preference", "integration_credential", "audit_entry", "team_invitation",
  "billing_address", "tax_profile", "loyalty_account", "gift_card", "return_label",
];

rmSync(dir, { recursive: true, force: true });
for (const sub of ["apis", "tables", "functions"]) mkdirSync(join(dir, sub), { recursive: true });
const write = (path, text) => {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
};

write("workspace.xs", `workspace "Generated ${resources * 9}-endpoint app" {\n  acceptance = {ai_terms: false}\n}\n`);
write("tables/user.xs", `table user {
  auth = true

  schema {
    int id
    timestamp created_at?=now
    text name filters=trim
    email email filters=trim|lower {
      sensitive = true
    }

    password password filters=min:10 {
      sensitive = true
    }

    text phone?
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
  ]
}
`);

// The stack and response of an endpoint that changes one field of the caller's own row.
const ownerCheckedPatch = (t, field) => `  stack {
    db.get ${t} {
      field_name = "id"
      field_value = $input.${t}_id
    } as $row

    precondition ($row.user_id == $auth.id) {
      error_type = "accessdenied"
      error = "Not yours"
    }

    db.patch ${t} {
      field_name = "id"
      field_value = $row.id
      data = {${field}: $input.${field}}
    } as $saved
  }

  response = $saved
}
`;

const groups = Math.ceil(resources / 3);
for (let g = 0; g < groups; g++) {
  const name = `area_${String(g + 1).padStart(2, "0")}`;
  // Every third group keeps Xano's defaults: public Swagger and open CORS.
  const settings = g % 3 === 0
    ? `  canonical = "${name}"\n`
    : `  canonical = "${name}"\n  swagger = {active: false}\n  cors = {\n    mode   : "custom"\n    origins: ["https://app.example.com"]\n    methods: ["GET", "POST", "PATCH", "PUT", "DELETE"]\n  }\n`;
  write(`apis/${name}/api_group.xs`, `api_group ${name} {\n${settings}}\n`);
}

let endpoints = 0;
for (let i = 0; i < resources; i++) {
  const t = nouns[i % nouns.length] + (i >= nouns.length ? `_${i}` : "");
  const group = `area_${String(Math.floor(i / 3) + 1).padStart(2, "0")}`;
  const personal = i % 4 === 0;
  write(`tables/${t}.xs`, `table ${t} {
  auth = false

  schema {
    int id
    timestamp created_at?=now
    int user_id {
      table = "user"
    }

    text title filters=trim
    text description?
${personal ? "    email contact_email?\n    text contact_phone?\n" : ""}    enum status?="open" {
      values = ["open", "closed"]
    }
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
  ]
}
`);
  write(`functions/${t}_load.xs`, `function "${t}/load" {
  input {
    int ${t}_id
  }

  stack {
    db.get ${t} {
      field_name = "id"
      field_value = $input.${t}_id
    } as $row
  }

  response = $row
}
`);
  const file = (name, text) => {
    endpoints += 1;
    write(`apis/${group}/${name}.xs`, text);
  };
  const auth = (yes) => (yes ? `  auth = "user"\n` : "");
  // Generated CRUD: list and one record; every fifth resource left public.
  file(`${t}_GET`, `query ${t} verb=GET {
  api_group = "${group}"
${auth(i % 5 !== 0)}
  input {
  }

  stack {
    db.query ${t} {
      where = $db.${t}.user_id == $auth.id
      return = {type: "list"}
    } as $rows
  }

  response = $rows
}
`);
  file(`${t}_${t}_id_GET`, `query "${t}/{${t}_id}" verb=GET {
  api_group = "${group}"
  auth = "user"

  input {
    int ${t}_id filters=min:1
  }

  stack {
    function.run "${t}/load" {
      input = {${t}_id: $input.${t}_id}
    } as $row
${i % 4 === 1 ? "" : `
    precondition ($row.user_id == $auth.id) {
      error_type = "accessdenied"
      error = "Not yours"
    }
`}  }

  response = $row
}
`);
  file(`${t}_POST`, `query ${t} verb=POST {
  api_group = "${group}"
  auth = "user"

  input {
    text title filters=trim
    text description?
  }

  stack {
    db.add ${t} {
      data = ${i % 6 === 0 ? "$input" : "{title: $input.title, description: $input.description, user_id: $auth.id}"}
    } as $row
  }

  response = $row
}
`);
  file(`${t}_${t}_id_PATCH`, `query "${t}/{${t}_id}" verb=PATCH {
  api_group = "${group}"
  auth = "user"

  input {
    int ${t}_id filters=min:1
    text title filters=trim
  }

${ownerCheckedPatch(t, "title")}`);
  file(`${t}_${t}_id_DELETE`, `query "${t}/{${t}_id}" verb=DELETE {
  api_group = "${group}"
${auth(i % 7 !== 0)}
  input {
    int ${t}_id filters=min:1
  }

  stack {
    db.del ${t} {
      field_name = "id"
      field_value = $input.${t}_id
    }
  }

  response = null
}
`);
  file(`${t}_export_GET`, `query "organizations/{organization_id}/workspaces/{workspace_id}/${t}/exports/monthly-summary-with-attachments" verb=GET {
  api_group = "${group}"
  auth = "user"

  input {
    int organization_id
    int workspace_id
  }

  stack {
    db.query ${t} {
      where = $db.${t}.user_id == $auth.id
      return = {type: "list"}
    } as $rows
  }

  response = $rows
}
`);
  file(`${t}_${t}_id_archive_POST`, `query "${t}/{${t}_id}/archive" verb=POST {
  api_group = "${group}"
  auth = "user"

  input {
    int ${t}_id filters=min:1
  }

  stack {
    db.edit ${t} {
      field_name = "id"
      field_value = $input.${t}_id
      data = {status: "closed"}
    } as $row
  }

  response = $row
}
`);
  file(`${t}_search_GET`, `query "${t}/search" verb=GET {
  api_group = "${group}"
${auth(i % 3 !== 2)}
  input {
    text q filters=trim
  }

  stack {
    db.query ${t} {
      where = $db.${t}.title includes $input.q
      return = {type: "list"}
    } as $rows
  }

  response = $rows
}
`);
  file(`${t}_${t}_id_settings_PUT`, `query "${t}/{${t}_id}/settings" verb=PUT {
  api_group = "${group}"
  auth = "user"

  input {
    int ${t}_id filters=min:1
    text description?
  }

${ownerCheckedPatch(t, "description")}`);
}
console.log(`${dir}: ${endpoints} endpoints, ${groups} api groups, ${resources + 1} tables`);
