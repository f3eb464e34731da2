// What happened, for support and compliance.
table audit_log {
  auth = false

  schema {
    int id
    timestamp created_at?=now
    int user_id? {
      table = "user"
    }

    text action
    json payload?
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
  ]
}
