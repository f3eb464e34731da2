query "orders/{id}" verb=GET {
// <- keyword
//    ^ type
//                  ^ property
//                       ^ constant
  auth = "user"
  // <- property
  //     ^ string
  input {
  // <- keyword
    int id filters=min:1
    // <- type.builtin
    //  ^ variable.member
    //     ^ keyword
    //             ^ function
  }
  stack {
    db.get order {
    // <- function.builtin
    //     ^ type
      field_value = $input.id
      //            ^ variable.builtin
      //                   ^ property
    } as $order
    //^ keyword
    //   ^ variable
    conditional {
    // <- keyword.control
      if ($order.total >= 10 && $order.paid == true) {
        var $big { value = $order.total|round:2 }
        //                             ^ operator
        //                              ^ function
      }
    }
  }
  response = $order
}
