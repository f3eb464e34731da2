// Sum of line prices, with an optional percentage off.
function "orders/total" {
  input {
    decimal[] prices
    int percent_off?=0 filters=min:0|max:100
  }

  stack {
    var $sum {
      value = $input.prices|sum
    }

    conditional {
      if ($input.percent_off > 0) {
        math.mul $sum {
          value = (100 - $input.percent_off) / 100
        }
      }
    }
  }

  response = $sum|round:2
}
