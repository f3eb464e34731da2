// Sales per product for a category chosen by the caller.
query "products/report" verb=GET {
  api_group = "public"

  input {
    text category
  }

  stack {
    db.direct_query {
      sql = "select p.name, sum(o.total) from product p join order o on o.product_id = p.id where p.category = '" ~ $input.category ~ "' group by p.name"
      response_type = "list"
    } as $rows
  }

  response = $rows
}
