// Cancel an order.
query "order/{order_id}" verb=DELETE {
  api_group = "shop"

  input {
    int order_id
  }

  stack {
    db.del order {
      field_name = "id"
      field_value = $input.order_id
    }
  }

  response = null
}
