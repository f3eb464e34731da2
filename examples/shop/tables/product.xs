// The catalogue: public by design.
table product {
  auth = false

  schema {
    int id
    timestamp created_at?=now
    text name filters=trim
    text description?
    decimal price filters=min:0
    bool published?=false
  }

  index = [
    {type: "primary", field: [{name: "id"}]}
  ]
}
