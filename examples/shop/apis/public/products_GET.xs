// The published catalogue.
query products verb=GET {
  api_group = "public"

  input {
    text search?
  }

  stack {
    db.query product {
      where = $db.product.published == true && $db.product.name includes? $input.search
      return = {type: "list"}
      output = ["id", "name", "description", "price"]
    } as $products
  }

  response = $products
}
