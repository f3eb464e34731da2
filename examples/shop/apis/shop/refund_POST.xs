// Work in progress: refund an order.
query "orders/{order_id}/refund" verb=POST {
  api_group = "shop"
  auth = "user"

  input {
    int order_id
  }

  stack {
    db.get order {
      field_name = "id"
      field_value = $input.order_id
    } as $order

    conditional {
      if ($order.status == "paid") {
        db.patch order {
          field_name = "id"
          field_value = $order.id
          data = {status: "void"}
        } as $order
      }
  }

  response = $order
}
