query "orders/{order_id}" verb=PATCH {
  api_group = "shop"
  auth = "user"
  input {
    int order_id filters=min:1
    text? note?
    uuid ?x?
    int[] ?tags?
    int[1:10] range
    text code filters=trim|upper|pattern:/^[a-z]+$/i
    int legacy filters=@:dbo=36
    json meta?={}
    timestamp created_at?=now
    decimal price?=0 filters=min:-5
    enum plan?="free" {
      values = ["free", "pro"]
    }
    object address? {
      schema {
        text city
      }
    }
    dblink {
      table = "customer"
      override = {email: {hidden: true}}
    }
    file? logo?
  }
  stack {
    db.get order {
      field_name = "id"
      field_value = $input.order_id
    } as $order
    precondition ($order.owner_id == $auth.id) {
      error_type = "accessdenied"
      error = "Not your order"
    }
    db.query order {
      where = $db.order.owner_id == $auth.id && $db.order.status not in? ["void", "draft"] && $db.order.total >=? $input.min
      sort = {order.created_at: "desc", "x y": "asc"}
      return = {type: "list", paging: {page: 1, per_page: 25}}
      addon = [{name: "author", input: {user_id: $output.author_id}, as: "items._author", output: ["id"]}]
    } as $list
    var $sql_text {
      value = """
        select id
        from orders
        """|trim
    }
    var $x {
      value = $input.items
        |filter:$$.active == true
        |count
    }
    var $y { value = ($x|first).id }
    var.update $a[$i + 1] {
      value = $company["a b"].["c"]["d"].name
    }
    var $z {
      value = `$input|pick:($raw_input|keys)`|filter_null
    }
    var $w {
      value = $acc
        |push:```
          {id: $row.id}
          ```
    }
    var $r { value = (1..$n) }
    var $t { value = !text "[1,2]"|json_decode }
    var $o { value = {!debug: true, ...$rest, "x-trace": $id, total: ($a + $b)} }
    var $e { value = $env.$http_headers|get:"x":null }
    var $n { value = $a - 1 }
    var $m { value = $s|slice:0:-1 }
    var $c { value = $a ? 1 : 2 }
    var $d { value = $a ?? $b }
    var $neg { value = !($a|is_empty) }
    array.filter $orders if ($this.total > 100) as $big
    array.filter ($orders) if ($this.total > 100) as $big2
    security.create_uuid as $id
    util.get_all_input as $all
    !db.del order {
      field_name = "id"
      field_value = 1
    }
    conditional {
      description = "route"
      if ($t == "gold") {
        var $rate { value = 5 }
      }
      elseif ($t == "silver")
      else {
        var $rate { value = 1 }
      }
    }
    switch ($input.kind) {
      case ("a") {
        var $n { value = 1 }
      } break
      case ("b") break
      default {
        var $n { value = 0 }
      }
    }
    foreach ($input.items) {
      each as $item {
        foreach.remove
        continue
      }
    }
    while ($n < 5) {
      each {
        math.add $n { value = 1 }
      }
    }
    try_catch {
      try {
        api.request {
          url = "https://x.test"
          method = "GET"
        } as $r
      }
      catch {
        debug.log { value = $error.message }
      }
      finally {
        debug.log { value = "done" }
      }
    }
    api.call "p" verb=GET {
      api_group = "x"
    } as $call
    function.run utils/slugify {
      input = {a: 1}
    } as $slug
    await {
      ids = [$a]
    } as $results
  }
  response = $saved
  cache = {ttl: 3600, input: true, headers: ["x-tenant"]}
  test "vip gets discount" {
    input = {amount: 200, tier: "vip"}
    expect.to_equal ($response.total) {
      value = 180
    }
    expect.to_be_defined ($response.applied_rule)
  }
  guid = "abc"
}
