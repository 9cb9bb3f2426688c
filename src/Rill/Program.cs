Console.WriteLine("rill");
