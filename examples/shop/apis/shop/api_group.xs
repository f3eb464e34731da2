api_group shop {
  canonical = "shop-v1"
  swagger = {active: false}
  cors = {
    mode   : "custom"
    origins: ["https://shop.example.com"]
    methods: ["GET", "PATCH"]
  }
}
