"""What people read: charts in one house style, the client report, formula-safe exports."""
