// One checkout of one customer.
table order {
  auth = false

  schema {
    int id
    timestamp created_at?=now
    int user_id {
      table = "user"
    }

    decimal total filters=min:0
    enum status?="open" {
      values = ["open", "paid", "void"]
    }

    text? note?
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
    {type: "btree", field: [{name: "user_id", op: "asc"}]}
  ]
}
