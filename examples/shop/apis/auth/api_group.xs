api_group auth {
  canonical = "auth-v1"
  swagger = {active: false}
  cors = {
    mode   : "custom"
    origins: ["https://shop.example.com"]
    methods: ["POST"]
  }
}
