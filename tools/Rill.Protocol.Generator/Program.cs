Console.WriteLine("gen");
