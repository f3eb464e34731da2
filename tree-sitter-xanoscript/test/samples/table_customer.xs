// Customer accounts
table customer {
  auth = true

  schema {
    int id
    // shown on invoices
    text name filters=trim
    email email filters=trim|lower {
      sensitive = true
    }
    vector embedding? {
      size = 1536
    }
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
    {name: "name_search", lang: "english", type: "search", field: [{name: "name", op: "A"}]}
  ]

  view = {
    "big spenders": {
      search: $db.plan == "pro"
      sort  : {id: "desc"}
    }
  }
}
