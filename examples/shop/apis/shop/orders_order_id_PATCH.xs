// Change the note on one of the customer's own orders.
query "orders/{order_id}" verb=PATCH {
  api_group = "shop"
  auth = "user"

  input {
    int order_id filters=min:1
    text note filters=trim|max:500
  }

  stack {
    db.get order {
      field_name = "id"
      field_value = $input.order_id
    } as $order

    precondition ($order.user_id == $auth.id) {
      error_type = "accessdenied"
      error = "Not your order"
    }

    db.patch order {
      field_name = "id"
      field_value = $order.id
      data = {note: $input.note}
    } as $saved
  }

  response = $saved
}
