// Loads an order by id.
function "orders/load" {
  input {
    int order_id
  }

  stack {
    db.get order {
      field_name = "id"
      field_value = $input.order_id
    } as $order

    precondition ($order != null) {
      error_type = "notfound"
      error = "No such order"
    }
  }

  response = $order
}
