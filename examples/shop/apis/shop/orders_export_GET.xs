// The customer's own orders as CSV; the shop has no personal data in orders.
query "orders/export" verb=GET {
  api_group = "shop"
  auth = "user"

  input {
  }

  stack {
    db.query order {
      where = $db.order.user_id == $auth.id
      return = {type: "list"}
      output = ["id", "created_at", "total", "status"]
    } as $orders
  }

  response = $orders|csv_create
}
