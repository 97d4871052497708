namespace RetailEdge.Simulator;

/// <summary>A catalogue department: its share of items, price level, margin and how much is sold by weight.</summary>
internal sealed record Department(
    string Name,
    double Share,
    double MedianPrice,
    double Margin,
    double WeighedShare,
    int SupplierBase,
    string[] Nouns,
    string[] Sizes)
{
    public static IReadOnlyList<Department> All { get; } =
    [
        new("Produce", 0.08, 2.40, 0.35, 0.55, 1100,
            ["Apples", "Bananas", "Tomatoes", "Potatoes", "Carrots", "Onions", "Grapes", "Pears", "Peppers", "Lettuce", "Cucumbers", "Oranges", "Lemons", "Mushrooms", "Avocados", "Berries"],
            ["500 g", "1 kg", "2 kg", "bunch", "pack"]),
        new("Dairy", 0.09, 2.60, 0.28, 0, 1200,
            ["Whole Milk", "Skim Milk", "Greek Yogurt", "Cheddar", "Butter", "Cream", "Mozzarella", "Cottage Cheese", "Eggs", "Kefir", "Sour Cream"],
            ["250 g", "500 g", "1 l", "2 l", "6 pack", "12 pack"]),
        new("Bakery", 0.06, 3.10, 0.45, 0, 1300,
            ["Sourdough", "Baguette", "Croissants", "Bagels", "Rye Bread", "Muffins", "Brioche", "Ciabatta", "Cinnamon Rolls"],
            ["single", "4 pack", "6 pack", "400 g", "800 g"]),
        new("Meat & Seafood", 0.06, 8.90, 0.27, 0, 1400,
            ["Chicken Breast", "Ground Beef", "Pork Chops", "Salmon Fillet", "Sausages", "Bacon", "Shrimp", "Lamb Chops", "Turkey Slices"],
            ["300 g", "500 g", "1 kg", "family pack"]),
        new("Deli", 0.04, 14.90, 0.40, 0.5, 1500,
            ["Smoked Ham", "Salami", "Roast Beef", "Olives", "Hummus", "Brie", "Pasta Salad", "Prosciutto", "Feta"],
            ["150 g", "200 g", "tub", "sliced"]),
        new("Frozen", 0.09, 4.60, 0.32, 0, 1600,
            ["Pizza", "Peas", "Ice Cream", "Fish Sticks", "Berries Mix", "Lasagna", "Dumplings", "Fries", "Waffles"],
            ["400 g", "750 g", "1 kg", "family size"]),
        new("Grocery", 0.22, 2.90, 0.30, 0, 1700,
            ["Spaghetti", "Rice", "Olive Oil", "Canned Tomatoes", "Cereal", "Peanut Butter", "Coffee", "Tea", "Flour", "Sugar", "Honey", "Soup", "Beans", "Tuna", "Jam", "Oats"],
            ["250 g", "400 g", "500 g", "1 kg", "750 ml", "can"]),
        new("Beverages", 0.10, 2.30, 0.33, 0, 1800,
            ["Sparkling Water", "Orange Juice", "Cola", "Lemonade", "Iced Tea", "Energy Drink", "Apple Juice", "Still Water", "Ginger Ale"],
            ["330 ml", "500 ml", "1 l", "1.5 l", "6 pack", "12 pack"]),
        new("Snacks", 0.08, 2.70, 0.38, 0, 1900,
            ["Potato Chips", "Pretzels", "Chocolate Bar", "Cookies", "Popcorn", "Trail Mix", "Crackers", "Gummy Bears", "Nuts"],
            ["50 g", "150 g", "200 g", "family bag"]),
        new("Household", 0.08, 5.80, 0.36, 0, 2000,
            ["Dish Soap", "Paper Towels", "Laundry Detergent", "Trash Bags", "Toilet Paper", "Sponges", "Aluminium Foil", "Glass Cleaner"],
            ["single", "4 rolls", "8 rolls", "1 l", "2 l"]),
        new("Personal Care", 0.10, 5.20, 0.42, 0, 2100,
            ["Shampoo", "Toothpaste", "Deodorant", "Body Wash", "Hand Soap", "Razors", "Sunscreen", "Lotion", "Cotton Pads"],
            ["75 ml", "250 ml", "400 ml", "pack"]),
    ];

    public static string[] Brands { get; } =
        ["Alpine", "Meadow", "Golden", "Harbor", "Sunny", "Prairie", "Orchard", "Summit", "Riverside", "Oak & Co", "Bluebell", "Northfield", "Hearth", "Willow", "Cedar", "Maple"];
}
