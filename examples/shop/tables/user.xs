// People who sign in to the shop.
table user {
  auth = true

  schema {
    int id
    timestamp created_at?=now
    text name filters=trim
    email email filters=trim|lower {
      sensitive = true
    }

    password password filters=min:10|minDigit:1 {
      sensitive = true
    }

    text phone?
    text reset_token?
    enum role?="customer" {
      values = ["customer", "admin"]
    }
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
    {type: "btree|unique", field: [{name: "email", op: "asc"}]}
  ]
}
