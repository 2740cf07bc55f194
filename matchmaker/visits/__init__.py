"""Trade visits: hosts offer site visits in groups with places; participants rank them."""
